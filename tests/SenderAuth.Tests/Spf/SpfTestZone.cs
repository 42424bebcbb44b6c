using System.Net;
using SenderAuth.Dns;

namespace SenderAuth.Tests.Spf;

/// <summary>Builds small zones for SPF unit tests, with a query log to assert exact lookups.</summary>
internal sealed class SpfTestZone
{
    public DnsZone Zone { get; } = new();

    public SpfTestZone Txt(string name, params string[] strings)
    {
        Zone.Add(new TxtRecord(name, 300, strings));
        return this;
    }

    public SpfTestZone A(string name, string address)
    {
        Zone.Add(new AddressRecord(name, 300, IPAddress.Parse(address)));
        return this;
    }

    public SpfTestZone Mx(string name, string exchange, ushort preference = 10)
    {
        Zone.Add(new MxRecord(name, 300, preference, exchange));
        return this;
    }

    public SpfTestZone Ptr(string address, string target)
    {
        Zone.Add(new PtrRecord(DnsName.ReverseName(IPAddress.Parse(address)), 300, target));
        return this;
    }

    public SpfTestZone Timeout(string name)
    {
        Zone.AddTimeout(name);
        return this;
    }

    public ZoneDnsResolver Resolver() => new(Zone);
}
