namespace SenderAuth.Dns;

/// <summary>
/// The one DNS interface of the engine. Failures are data (<see cref="DnsStatus"/>), never exceptions;
/// only cancellation throws. Implementations: <c>NetworkDnsResolver</c> (DnsClient),
/// <see cref="ZoneDnsResolver"/> (master-file text), and the decorators <c>CachingDnsResolver</c>
/// and <c>DnsQueryLog</c>.
/// </summary>
public interface IDnsResolver
{
    /// <summary>Asks for the records of <paramref name="type"/> at <paramref name="name"/>, following CNAMEs.
    /// Timeouts and server failures come back as <see cref="DnsAnswer.Status"/>; only cancellation throws.</summary>
    /// <param name="name">Domain name, with or without trailing dot, any case.</param>
    /// <param name="type">The record type wanted.</param>
    /// <param name="cancellationToken">Cancels the query (an <see cref="OperationCanceledException"/>).</param>
    ValueTask<DnsAnswer> QueryAsync(string name, DnsRecordType type, CancellationToken cancellationToken = default);
}
