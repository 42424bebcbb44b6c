using System.Net;
using System.Security.Cryptography;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;
using ARSoft.Tools.Net.Dns.DynamicUpdate;
using ArDnsClient = ARSoft.Tools.Net.Dns.DnsClient;

namespace SenderAuth.Server.Publishing;

/// <summary>
/// TSIG-signed exchanges with the primary over TCP (an update or a transfer can exceed any UDP size): every
/// answer must carry a TSIG that verifies with the same key (RFC 8945 §5.3), or it is not believed.
/// </summary>
internal sealed class Rfc2136Channel(Rfc2136Options options)
{
    // RFC 8945 §10 recommends 300 seconds of allowed clock skew.
    private static readonly TimeSpan Fudge = TimeSpan.FromSeconds(300);

    private readonly IPEndPoint _server = options.Server ?? throw new ArgumentException("Rfc2136.Server is required", nameof(options));
    private readonly DomainName _keyName = DomainName.Parse(options.TsigKeyName);
    private readonly TSigAlgorithm _algorithm = TsigAlgorithms.Parse(options.TsigAlgorithm);
    private readonly byte[] _secret = Convert.FromBase64String(options.TsigSecret);

    public IPEndPoint Server => _server;

    /// <summary>Every record of the zone by AXFR (RFC 5936), the SOA first and, as the transfer ends, last.</summary>
    public async Task<IReadOnlyList<DnsRecordBase>> TransferAsync(DomainName zone, CancellationToken cancellationToken)
    {
        var query = new DnsMessage { TransactionID = NewId(), IsRecursionDesired = false };
        query.Questions.Add(new DnsQuestion(zone, RecordType.Axfr, RecordClass.INet));
        Sign(query);
        var answer = await ExchangeAsync(c => c.SendMessageAsync(query, cancellationToken), "zone transfer (AXFR)", zone, cancellationToken)
            .ConfigureAwait(false);
        var records = answer.AnswerRecords;
        if (records.Count < 2 || records[0] is not SoaRecord first || records[^1] is not SoaRecord last || first.SerialNumber != last.SerialNumber)
        {
            throw new ZonePublishException($"zone transfer (AXFR) of {zone} from {_server} is incomplete: it must start and end with the SOA");
        }
        return records;
    }

    public async Task UpdateAsync(DnsUpdateMessage update, CancellationToken cancellationToken)
    {
        update.TransactionID = NewId();
        Sign(update);
        await ExchangeAsync(c => c.SendUpdateAsync(update, cancellationToken), "update", update.ZoneName, cancellationToken)
            .ConfigureAwait(false);
    }

    private void Sign(DnsMessageBase message) =>
        message.TSigOptions = new TSigRecord(_keyName, _algorithm, DateTime.UtcNow, Fudge, message.TransactionID, ReturnCode.NoError, null, _secret);

    private static ushort NewId() => (ushort)RandomNumberGenerator.GetInt32(1, 0x10000);

    private async Task<T> ExchangeAsync<T>(Func<ArDnsClient, Task<T?>> send, string what, DomainName zone, CancellationToken cancellationToken)
        where T : DnsMessageBase
    {
        var timeoutMs = (int)options.Timeout.TotalMilliseconds;
        using var client = new ArDnsClient([_server.Address], [new TcpClientTransport(_server.Port)], true, timeoutMs);
        T? answer;
        try
        {
            // The client has its own timeout; the outer one also bounds connecting and a stalled multi-message transfer.
            answer = await send(client).WaitAsync(options.Timeout * 2, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex is not ZonePublishException)
        {
            throw new ZonePublishException($"{what} of {zone} at {_server} failed: {ex.Message}", ex);
        }
        if (answer is null)
        {
            throw new ZonePublishException($"{what} of {zone} at {_server}: no usable answer within {options.Timeout.TotalSeconds:0.#} s (server down, or the answer could not be read)");
        }
        if (answer.ReturnCode != ReturnCode.NoError)
        {
            var tsigError = answer.TSigOptions is { Error: not ReturnCode.NoError } t
                ? $" (TSIG {DnsRcodeNames.Tsig(t.Error)}: check the key name, algorithm and secret against the server's, and the clock)"
                : "";
            throw new ZonePublishException($"{what} of {zone} refused by {_server}: {DnsRcodeNames.Rcode(answer.ReturnCode)}{tsigError}");
        }
        if (answer.TSigOptions is null)
        {
            throw new ZonePublishException($"{what} of {zone}: the answer from {_server} is not signed with TSIG, so it cannot be trusted");
        }
        if (answer.TSigOptions.ValidationResult != ReturnCode.NoError)
        {
            throw new ZonePublishException($"{what} of {zone}: the TSIG of the answer from {_server} does not verify ({DnsRcodeNames.Tsig(answer.TSigOptions.ValidationResult)})");
        }
        return answer;
    }
}
