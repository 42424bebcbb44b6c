using System.Net;
using SenderAuth.Dns;
using YamlDotNet.RepresentationModel;

namespace SenderAuth.Tests.Spf;

/// <summary>One test of an OpenSPF-format suite: its zone and the expected results (first one preferred).</summary>
public sealed record SpfSuiteCase(
    string File, string Scenario, string Id, string Spec, string Host, string MailFrom, string Helo,
    IReadOnlyList<string> Results, string? Explanation, DnsZone Zone)
{
    public string Key => $"{File} | {Scenario} | {Id}";
}

/// <summary>Reads suite files in the OpenSPF YAML format (several documents, each with tests and zonedata).</summary>
public static class SpfSuite
{
    public static IEnumerable<SpfSuiteCase> Load(string path)
    {
        var yaml = new YamlStream();
        using (var reader = File.OpenText(path))
        {
            yaml.Load(reader);
        }
        var file = Path.GetFileName(path);
        foreach (var doc in yaml.Documents)
        {
            var root = (YamlMappingNode)doc.RootNode;
            var scenario = Scalar(root, "description") ?? "(no description)";
            var zone = LoadZone((YamlMappingNode)root.Children[new YamlScalarNode("zonedata")]);
            foreach (var (key, value) in (YamlMappingNode)root.Children[new YamlScalarNode("tests")])
            {
                var t = (YamlMappingNode)value;
                var results = t.Children[new YamlScalarNode("result")] switch
                {
                    YamlSequenceNode seq => seq.Children.Select(n => ((YamlScalarNode)n).Value!).ToList(),
                    var n => [((YamlScalarNode)n).Value!],
                };
                yield return new SpfSuiteCase(file, scenario, ((YamlScalarNode)key).Value!, Scalar(t, "spec") ?? "",
                    Scalar(t, "host")!, Scalar(t, "mailfrom") ?? "", Scalar(t, "helo") ?? "", results, Scalar(t, "explanation"), zone);
            }
        }
    }

    private static string? Scalar(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var v) && v is YamlScalarNode s ? s.Value : null;

    private static DnsZone LoadZone(YamlMappingNode zonedata)
    {
        var zone = new DnsZone();
        foreach (var (nameNode, recordsNode) in zonedata)
        {
            var name = ((YamlScalarNode)nameNode).Value!;
            var spf = new List<IReadOnlyList<string>>();
            var hasTxt = false;
            foreach (var item in ((YamlSequenceNode)recordsNode).Children)
            {
                if (item is YamlScalarNode { Value: "TIMEOUT" })
                {
                    zone.AddTimeout(name);
                    continue;
                }
                var (typeNode, valueNode) = ((YamlMappingNode)item).Children.Single();
                var type = ((YamlScalarNode)typeNode).Value!;
                switch (type)
                {
                    case "SPF":
                    case "TXT":
                        var strings = valueNode is YamlSequenceNode seq
                            ? seq.Children.Select(s => ((YamlScalarNode)s).Value!).ToList()
                            : [((YamlScalarNode)valueNode).Value!];
                        if (type == "TXT")
                        {
                            hasTxt = true;
                            if (strings is ["NONE"])
                            {
                                continue;
                            }
                            zone.Add(new TxtRecord(name, 3600, strings));
                        }
                        else
                        {
                            spf.Add(strings);
                            zone.Add(new TxtRecord(name, 3600, strings, DnsRecordType.Spf));
                        }
                        break;
                    case "A":
                    case "AAAA":
                        zone.Add(new AddressRecord(name, 3600, IPAddress.Parse(((YamlScalarNode)valueNode).Value!)));
                        break;
                    case "MX":
                        var mx = (YamlSequenceNode)valueNode;
                        zone.Add(new MxRecord(name, 3600, ushort.Parse(((YamlScalarNode)mx.Children[0]).Value!, System.Globalization.CultureInfo.InvariantCulture),
                            ((YamlScalarNode)mx.Children[1]).Value!));
                        break;
                    case "PTR":
                        zone.Add(new PtrRecord(name, 3600, ((YamlScalarNode)valueNode).Value!));
                        break;
                    case "CNAME":
                        zone.Add(new CnameRecord(name, 3600, ((YamlScalarNode)valueNode).Value!));
                        break;
                    default:
                        throw new InvalidDataException($"suite zone {name}: unsupported record type {type}");
                }
            }
            if (!hasTxt)
            {
                foreach (var s in spf)
                {
                    zone.Add(new TxtRecord(name, 3600, s));
                }
            }
        }
        return zone;
    }
}
