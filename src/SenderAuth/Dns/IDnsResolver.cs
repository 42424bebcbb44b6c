namespace SenderAuth.Dns;

/// <summary>
/// The one DNS interface of the engine. Failures are data (<see cref="DnsStatus"/>), never exceptions;
/// only cancellation throws. Implementations: <c>NetworkDnsResolver</c> (DnsClient),
/// <see cref="ZoneDnsResolver"/> (master-file text), and the decorators <c>CachingDnsResolver</c>
/// and <c>DnsQueryLog</c>.
/// </summary>
public interface IDnsResolver
{
    /// <param name="name">Domain name, with or without trailing dot, any case.</param>
    ValueTask<DnsAnswer> QueryAsync(string name, DnsRecordType type, CancellationToken cancellationToken = default);
}
