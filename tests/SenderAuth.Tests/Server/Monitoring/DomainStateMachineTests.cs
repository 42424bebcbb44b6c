using SenderAuth.Store.Data;
using SenderAuth.Server.Monitoring;
using SenderAuth.Store.Webhooks;

namespace SenderAuth.Tests.Server.Monitoring;

[Trait("Layer", "server")]
public class DomainStateMachineTests
{
    private static readonly DateTime Now = new(2027, 3, 1, 12, 0, 0, DateTimeKind.Utc);
    private static readonly MonitorOptions Options = new() { Jitter = 0 };
    private static readonly DomainStateMachine Machine = new(Options);

    private static SenderDomain Domain(DomainState state, TimeSpan? age = null, TimeSpan? degradedFor = null, bool signing = true) => new()
    {
        Name = "mosamuseum.com",
        State = state,
        CreatedAt = Now - (age ?? TimeSpan.FromHours(1)),
        DegradedSince = degradedFor is { } d ? Now - d : null,
        SigningEnabled = signing,
    };

    [Theory]
    [InlineData(DomainState.Pending)]
    [InlineData(DomainState.Verified)]
    [InlineData(DomainState.Degraded)]
    [InlineData(DomainState.Failed)]
    public void A_check_that_could_not_finish_never_changes_the_state(DomainState state)
    {
        var verdict = Machine.Next(Domain(state, age: TimeSpan.FromDays(30), degradedFor: TimeSpan.FromDays(30)), passed: false, incomplete: true, "timeout", Now);
        Assert.Equal(state, verdict.State);
        Assert.Null(verdict.Event);
        Assert.False(verdict.SuspendSigning);
        Assert.StartsWith("could not check", verdict.Reason, StringComparison.Ordinal);
        Assert.Equal(Options.IncompleteRetry, verdict.NextCheckIn);
    }

    [Fact]
    public void Pending_becomes_verified_then_checks_hourly()
    {
        var verdict = Machine.Next(Domain(DomainState.Pending), passed: true, incomplete: false, null, Now);
        Assert.Equal((DomainState.Verified, ServerEventType.DomainVerified), (verdict.State, verdict.Event));
        Assert.Equal(Options.VerifiedInterval, verdict.NextCheckIn);
    }

    [Fact]
    public void Pending_stays_pending_with_the_reason_then_fails_after_the_window()
    {
        var young = Machine.Next(Domain(DomainState.Pending, age: TimeSpan.FromHours(10)), false, false, "no CNAME at stxsel1", Now);
        Assert.Equal(DomainState.Pending, young.State);
        Assert.Equal("no CNAME at stxsel1", young.Reason);
        Assert.Equal(Options.PendingInterval, young.NextCheckIn);
        var old = Machine.Next(Domain(DomainState.Pending, age: TimeSpan.FromHours(72)), false, false, "no CNAME at stxsel1", Now);
        Assert.Equal((DomainState.Failed, ServerEventType.DomainFailed), (old.State, old.Event));
        Assert.Contains("not verified within 72 hours", old.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Verified_degrades_keeps_signing_through_the_grace_period_then_is_suspended()
    {
        var degraded = Machine.Next(Domain(DomainState.Verified), false, false, "CNAME deleted", Now);
        Assert.Equal((DomainState.Degraded, ServerEventType.DomainDegraded), (degraded.State, degraded.Event));
        Assert.False(degraded.SuspendSigning);

        var during = Domain(DomainState.Degraded, degradedFor: TimeSpan.FromDays(2));
        during.LastReminderAt = Now - TimeSpan.FromHours(2);
        Assert.Null(Machine.Next(during, false, false, "CNAME deleted", Now).Event);
        during.LastReminderAt = Now - TimeSpan.FromDays(1);
        Assert.Equal(ServerEventType.DomainDegradedReminder, Machine.Next(during, false, false, "CNAME deleted", Now).Event);

        var after = Machine.Next(Domain(DomainState.Degraded, degradedFor: TimeSpan.FromDays(5)), false, false, "CNAME deleted", Now);
        Assert.Equal((DomainState.Failed, ServerEventType.DomainFailed), (after.State, after.Event));
        Assert.True(after.SuspendSigning);
    }

    [Fact]
    public void A_passing_check_recovers_and_restores_suspended_signing()
    {
        var failed = Domain(DomainState.Failed);
        failed.SigningSuspended = true;
        var verdict = Machine.Next(failed, true, false, null, Now);
        Assert.Equal((DomainState.Verified, ServerEventType.DomainRecovered), (verdict.State, verdict.Event));
        Assert.True(verdict.RestoreSigning);
    }

    [Fact]
    public void Jitter_spreads_intervals_within_the_fraction()
    {
        var options = new MonitorOptions { Jitter = 0.1 };
        var samples = Enumerable.Range(0, 200).Select(_ => options.Jittered(TimeSpan.FromHours(1))).ToList();
        Assert.All(samples, s => Assert.InRange(s, TimeSpan.FromMinutes(54), TimeSpan.FromMinutes(66)));
        Assert.True(samples.Distinct().Count() > 50);
    }

    [Fact]
    public void Invalid_monitoring_settings_are_named()
    {
        var options = new MonitorOptions { Tick = TimeSpan.Zero, Jitter = 0.7, MinRotationInterval = TimeSpan.FromDays(100) };
        var errors = options.Problems().ToList();
        Assert.Contains(errors, e => e.Contains("Tick must be positive", StringComparison.Ordinal));
        // Ranges are the properties' [Range] attributes, checked by OptionRangeValidator.
        Assert.Contains(SenderAuth.Store.Hosting.OptionRanges.Problems(options, "SenderAuth:Monitoring"), e => e == "SenderAuth:Monitoring:Jitter must be in [0, 0.5) (it is 0.7)");
        Assert.Contains(errors, e => e.Contains("MinRotationInterval", StringComparison.Ordinal));
    }
}
