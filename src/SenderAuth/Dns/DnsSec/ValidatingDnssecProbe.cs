namespace SenderAuth.Dns.DnsSec;

/// <summary>
/// The domain check's DNSSEC probe backed by our own validation (<see cref="DnssecValidator"/>) from a trust anchor,
/// instead of a validating resolver's AD bit (<see cref="NetworkDnssecProbe"/>): any resolver that passes DNSSEC
/// records with DO and CD will do, and a bogus answer comes with its reason.
/// </summary>
public sealed class ValidatingDnssecProbe(DnssecValidator validator) : IDnssecProbe
{
    /// <inheritdoc/>
    public async ValueTask<DnssecResult> ProbeAsync(string name, DnsRecordType type, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(validator);
        var v = await validator.ValidateAsync(name, (ushort)type, cancellationToken).ConfigureAwait(false);
        return new DnssecResult(v.Name, v.Status)
        {
            ZoneApex = v.Zone,
            ZoneSigned = v.ZoneSigned,
            ParentHasDs = v.Status is DnssecStatus.Secure or DnssecStatus.Bogus,
            Reason = v.Reason.Token(),
            Detail = v.Status == DnssecStatus.Secure ? null : v.Detail,
        };
    }
}
