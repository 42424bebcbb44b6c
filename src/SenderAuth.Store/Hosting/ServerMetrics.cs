using System.Diagnostics.Metrics;

namespace SenderAuth.Store.Hosting;

/// <summary>The server's counters (meter "SenderAuth.Server"), exported through OpenTelemetry when configured.</summary>
public sealed class ServerMetrics
{
    public const string MeterName = "SenderAuth.Server";
    private readonly Counter<long> _signatures;
    private readonly Counter<long> _signFailures;
    private readonly Counter<long> _unsigned;
    private readonly Counter<long> _checks;
    private readonly Counter<long> _publishes;
    private readonly Counter<long> _publishFailures;
    private readonly Counter<long> _reports;
    private readonly Counter<long> _milterConnections;
    private readonly Counter<long> _milterMessages;
    private readonly Counter<long> _milterErrors;

    public ServerMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        var meter = meters.Create(MeterName);
        _signatures = meter.CreateCounter<long>("senderauth.signatures", "{signature}", "DKIM signatures made");
        _signFailures = meter.CreateCounter<long>("senderauth.sign.failures", "{message}", "Messages that could not be signed, by reason");
        _unsigned = meter.CreateCounter<long>("senderauth.sign.unsigned", "{message}", "Messages passed unsigned by policy");
        _checks = meter.CreateCounter<long>("senderauth.checks", "{check}", "Domain checks run, by outcome");
        _publishes = meter.CreateCounter<long>("senderauth.zone.publishes", "{publish}", "Provider zone publishes");
        _publishFailures = meter.CreateCounter<long>("senderauth.zone.publish.failures", "{publish}", "Provider zone publishes that failed");
        _reports = meter.CreateCounter<long>("senderauth.reports", "{report}", "DMARC report files and reports read, by outcome (imported, duplicate, foreign, quarantined, rejected)");
        _milterConnections = meter.CreateCounter<long>("senderauth.milter.connections", "{connection}", "Milter connections, by outcome (accepted, refused)");
        _milterMessages = meter.CreateCounter<long>("senderauth.milter.messages", "{message}", "Messages through the milter, by outcome (signed, unsigned, rejected, tempfail, verified, aborted)");
        _milterErrors = meter.CreateCounter<long>("senderauth.milter.errors", "{error}", "Milter errors, by reason (internal, malformed, oversize, truncated, timeout, limit, version)");
    }

    public void Signed(int signatures, string channel) => _signatures.Add(signatures, new KeyValuePair<string, object?>("channel", channel));

    public void SignFailed(string reason) => _signFailures.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void PassedUnsigned() => _unsigned.Add(1);

    public void Checked(string outcome) => _checks.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    public void Published() => _publishes.Add(1);

    public void MilterConnection(string outcome) => _milterConnections.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    public void MilterMessage(string outcome) => _milterMessages.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    public void MilterError(string reason) => _milterErrors.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void PublishFailed() => _publishFailures.Add(1);

    public void ReportFile(string outcome) => _reports.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
}
