using SenderAuth.Dns.DnsSec;

namespace SenderAuth.Fuzz;

/// <summary>DNS responses as the DNSSEC validator reads them off the wire, and the DNSSEC records inside.</summary>
internal static class DnsWireTargets
{
    /// <summary>
    /// <see cref="WireMessage.Parse"/>, then every answer and authority record of a DNSSEC type read as that type
    /// (DNSKEY with its key tag, DS, RRSIG, NSEC, NSEC3 with the owner's hash label) and put in canonical form
    /// (RFC 4034 §6.2). Anything malformed is a <see cref="FormatException"/>.
    /// </summary>
    public static FuzzTarget Message { get; } = new("dns-wire", input =>
    {
        var message = WireMessage.Parse(input);
        foreach (var record in message.Answers.Concat(message.Authority))
        {
            _ = DnssecCanonical.Rdata(record.Type, record.Data);
            switch (record.Type)
            {
                case DnssecTypes.Dnskey:
                    _ = DnskeyData.Read(record.Owner, record.Data).KeyTag;
                    break;
                case DnssecTypes.Ds:
                    _ = DsData.Read(record.Owner, record.Data);
                    break;
                case DnssecTypes.Rrsig:
                    _ = RrsigData.Read(record.Owner, record.Data);
                    break;
                case DnssecTypes.Nsec:
                    _ = NsecData.Read(record.Owner, record.Data);
                    break;
                case DnssecTypes.Nsec3:
                    _ = Nsec3Data.Read(record.Owner, record.Data);
                    break;
            }
        }
    }, [typeof(FormatException)], FuzzBudget.Text);
}
