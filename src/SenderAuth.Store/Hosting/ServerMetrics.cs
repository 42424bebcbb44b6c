using SenderAuth.Json;
using System.Diagnostics.Metrics;

namespace SenderAuth.Store.Hosting;

/// <summary>
/// The server's instruments (meter "SenderAuth.Server"), exported through OpenTelemetry: scraped at /metrics and
/// pushed by OTLP when configured (Metrics/MetricsFeature). Names follow OpenTelemetry's conventions (dotted,
/// lower case, units in UCUM braces); every label takes a small, closed set of values, and the institution label
/// is bounded by <see cref="InstitutionLabels"/>. The gauges (queues, domains by state, blocked rotations) are
/// sampled by the server's Metrics/BacklogSampler. docs/metrics.md lists them all.
/// </summary>
public sealed class ServerMetrics
{
    public const string MeterName = "SenderAuth.Server";
    private readonly Counter<long> _signatures;
    private readonly Counter<long> _signingMessages;
    private readonly Counter<long> _signFailures;
    private readonly Counter<long> _unsigned;
    private readonly Counter<long> _checks;
    private readonly Counter<long> _stateChanges;
    private readonly Counter<long> _rotationSteps;
    private readonly Counter<long> _publishes;
    private readonly Counter<long> _publishFailures;
    private readonly Counter<long> _reports;
    private readonly Counter<long> _reportSourceErrors;
    private readonly Counter<long> _milterConnections;
    private readonly UpDownCounter<long> _milterActive;
    private readonly Counter<long> _milterMessages;
    private readonly Counter<long> _milterErrors;
    private readonly InstitutionLabels _institutions;

    /// <param name="institutions">The server's, bounded by its setting; none registered (the CLI): the default bound.</param>
    public ServerMetrics(IMeterFactory meters, InstitutionLabels? institutions = null)
    {
        ArgumentNullException.ThrowIfNull(meters);
        _institutions = institutions ?? new InstitutionLabels(InstitutionLabels.DefaultMax);
        Meter = meters.Create(MeterName);
        _signatures = Meter.CreateCounter<long>("senderauth.signatures", "{signature}", "DKIM signatures made, by channel (api, milter)");
        _signingMessages = Meter.CreateCounter<long>("senderauth.signing.messages", "{message}",
            "Messages given to signing, by institution and result (signed, provider-domain, unsigned, rejected, malformed, ambiguous-header)");
        _signFailures = Meter.CreateCounter<long>("senderauth.sign.failures", "{message}", "Messages that could not be signed, by reason");
        _unsigned = Meter.CreateCounter<long>("senderauth.sign.unsigned", "{message}", "Messages passed unsigned by policy");
        _checks = Meter.CreateCounter<long>("senderauth.checks", "{check}", "Domain checks run, by outcome (passed, failed, incomplete)");
        _stateChanges = Meter.CreateCounter<long>("senderauth.domain.state_changes", "{change}", "Domain state changes, by the state entered");
        _rotationSteps = Meter.CreateCounter<long>("senderauth.rotation.steps", "{step}", "Key rotation steps taken, by the step entered (generated, publishing, retaining, idle, blocked)");
        _publishes = Meter.CreateCounter<long>("senderauth.zone.publishes", "{publish}", "Provider zone publishes");
        _publishFailures = Meter.CreateCounter<long>("senderauth.zone.publish.failures", "{publish}", "Provider zone publishes that failed");
        _reports = Meter.CreateCounter<long>("senderauth.reports", "{report}", "DMARC report files and reports read, by kind (aggregate, failure) and outcome (imported, duplicate, foreign, misrouted, quarantined, rejected)");
        _reportSourceErrors = Meter.CreateCounter<long>("senderauth.report.source.errors", "{error}", "Failed polls of a report source, by source (imap, directory)");
        _milterConnections = Meter.CreateCounter<long>("senderauth.milter.connections", "{connection}", "Milter connections, by outcome (accepted, refused)");
        _milterActive = Meter.CreateUpDownCounter<long>("senderauth.milter.sessions.active", "{session}", "Milter sessions open now");
        _milterMessages = Meter.CreateCounter<long>("senderauth.milter.messages", "{message}", "Messages through the milter, by outcome (signed, unsigned, rejected, tempfail, verified, aborted)");
        _milterErrors = Meter.CreateCounter<long>("senderauth.milter.errors", "{error}", "Milter errors, by reason (internal, malformed, oversize, truncated, timeout, limit, version)");
    }

    /// <summary>The meter itself, for the sampled gauges.</summary>
    public Meter Meter { get; }

    /// <summary>A message signed: its signatures by channel, the message by institution (<c>provider-domain</c> when d= is the provider's zone).</summary>
    public void Signed(int signatures, string channel, string? institution, bool providerDomain)
    {
        _signatures.Add(signatures, new KeyValuePair<string, object?>("channel", channel));
        Message(providerDomain ? "provider-domain" : "signed", institution);
    }

    /// <summary>A message not signed: <c>policy</c> (the institution's unsigned-mail policy rejects it), <c>malformed</c>, <c>ambiguous-header</c>.</summary>
    public void SignFailed(string reason, string? institution = null)
    {
        _signFailures.Add(1, new KeyValuePair<string, object?>("reason", reason));
        Message(reason == "policy" ? "rejected" : reason, institution);
    }

    public void PassedUnsigned(string? institution)
    {
        _unsigned.Add(1);
        Message("unsigned", institution);
    }

    public void Checked(string outcome) => _checks.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    /// <summary>A domain entered <paramref name="state"/> (pending, verified, degraded, failed…).</summary>
    public void StateChanged(string state) => _stateChanges.Add(1, new KeyValuePair<string, object?>("state", state));

    public void RotationStep(string step) => _rotationSteps.Add(1, new KeyValuePair<string, object?>("step", step));

    public void Published() => _publishes.Add(1);

    public void MilterConnection(string outcome) => _milterConnections.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    /// <summary>+1 when a milter session starts, -1 when it ends.</summary>
    public void MilterSession(int delta) => _milterActive.Add(delta);

    public void MilterMessage(string outcome) => _milterMessages.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    public void MilterError(string reason) => _milterErrors.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void PublishFailed() => _publishFailures.Add(1);

    /// <summary>One file or report read, by its kind (a file refused or quarantined before it was recognised as a failure
    /// report counts as aggregate: it was read as one) and its outcome.</summary>
    public void ReportFile(ReportKind kind, string outcome) => _reports.Add(1,
        new KeyValuePair<string, object?>("kind", SenderAuthJson.Token(kind)),
        new KeyValuePair<string, object?>("outcome", outcome));

    public void ReportSourceFailed(string source) => _reportSourceErrors.Add(1, new KeyValuePair<string, object?>("source", source));

    private void Message(string result, string? institution) => _signingMessages.Add(1,
        new KeyValuePair<string, object?>("institution", _institutions.Label(institution)),
        new KeyValuePair<string, object?>("result", result));
}

