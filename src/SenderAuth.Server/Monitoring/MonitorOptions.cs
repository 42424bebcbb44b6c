using System.ComponentModel.DataAnnotations;

namespace SenderAuth.Server.Monitoring;

/// <summary>The "SenderAuth:Monitoring" section: how often domains are re-checked and keys rotated.</summary>
public sealed class MonitorOptions
{
    /// <summary>Run the scheduler in this instance (tests drive <see cref="MonitorService.RunOnceAsync"/> themselves).</summary>
    public bool Enabled { get; set; } = true;
    /// <summary>How often the scheduler looks for due work.</summary>
    public TimeSpan Tick { get; set; } = TimeSpan.FromSeconds(15);
    /// <summary>How often a pending domain (not verified yet) is checked.</summary>
    public TimeSpan PendingInterval { get; set; } = TimeSpan.FromMinutes(5);
    /// <summary>A domain never verified within this window is Failed, with the reason.</summary>
    public TimeSpan PendingWindow { get; set; } = TimeSpan.FromHours(72);
    /// <summary>How often a verified domain is re-checked.</summary>
    public TimeSpan VerifiedInterval { get; set; } = TimeSpan.FromHours(1);
    /// <summary>How often a degraded domain is re-checked (during its grace period).</summary>
    public TimeSpan DegradedInterval { get; set; } = TimeSpan.FromMinutes(15);
    /// <summary>How often a failed domain is re-checked (it recovers when it verifies again).</summary>
    public TimeSpan FailedInterval { get; set; } = TimeSpan.FromHours(6);
    /// <summary>Retry after a check that could not finish (timeouts, SERVFAIL): soon, to confirm or clear it.</summary>
    public TimeSpan IncompleteRetry { get; set; } = TimeSpan.FromMinutes(2);
    /// <summary>Degraded this long: signing is suspended and the domain Failed.</summary>
    public TimeSpan GracePeriod { get; set; } = TimeSpan.FromDays(5);
    /// <summary>Degraded domains get a reminder notification this often during the grace period.</summary>
    public TimeSpan ReminderInterval { get; set; } = TimeSpan.FromDays(1);
    /// <summary>Each interval is stretched or shrunk by up to this fraction, so checks do not come in waves.</summary>
    [Range(0d, 0.5d, MaximumIsExclusive = true)]
    public double Jitter { get; set; } = 0.1;
    /// <summary>Checks running at once in this instance.</summary>
    [Range(1, 1024)]
    public int Concurrency { get; set; } = 16;
    /// <summary>Domains claimed per tick.</summary>
    [Range(1, int.MaxValue)]
    public int BatchSize { get; set; } = 1000;
    /// <summary>How long a claim holds before another instance may take the work over (the claimer died).</summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Rotation steps one pass may chain (generate → publish → …); 1 makes every step its own pass.</summary>
    [Range(1, 10)]
    public int MaxStepsPerPass { get; set; } = 4;

    /// <summary>How often each key pair is rotated.</summary>
    public TimeSpan RotationInterval { get; set; } = TimeSpan.FromDays(90);
    /// <summary>No rotation (scheduled or manual; emergencies excepted) sooner than this after the last one.</summary>
    public TimeSpan MinRotationInterval { get; set; } = TimeSpan.FromDays(5);
    /// <summary>The old key stays published this long after the switch, for mail in flight and retries.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(7);
    /// <summary>
    /// After a compromise the old key is revoked this soon after the switch: a minute, longer than other instances
    /// keep their signing cache (Signing:CacheSeconds), so none signs with a key already revoked.
    /// </summary>
    public TimeSpan EmergencyRetention { get; set; } = TimeSpan.FromMinutes(1);

    public IEnumerable<string> Problems()
    {
        foreach (var (name, value) in new[] { (nameof(Tick), Tick), (nameof(PendingInterval), PendingInterval), (nameof(VerifiedInterval), VerifiedInterval),
            (nameof(DegradedInterval), DegradedInterval), (nameof(FailedInterval), FailedInterval), (nameof(IncompleteRetry), IncompleteRetry), (nameof(Lease), Lease),
            (nameof(RotationInterval), RotationInterval), (nameof(ReminderInterval), ReminderInterval) })
        {
            if (value <= TimeSpan.Zero)
            {
                yield return $"SenderAuth:Monitoring:{name} must be positive";
            }
        }
        if (PendingWindow < PendingInterval || GracePeriod < TimeSpan.Zero || Retention < TimeSpan.Zero || EmergencyRetention < TimeSpan.Zero)
        {
            yield return "SenderAuth:Monitoring: PendingWindow must be at least PendingInterval; GracePeriod, Retention and EmergencyRetention cannot be negative";
        }
        if (MinRotationInterval > RotationInterval)
        {
            yield return "SenderAuth:Monitoring:MinRotationInterval cannot exceed RotationInterval";
        }
        // Jitter, MaxStepsPerPass, Concurrency and BatchSize: [Range] (OptionRangeValidator).
    }

    /// <summary>The interval with jitter applied (uniform in ±Jitter).</summary>
    public TimeSpan Jittered(TimeSpan interval) => interval * (1 + ((Random.Shared.NextDouble() * 2) - 1) * Jitter);
}
