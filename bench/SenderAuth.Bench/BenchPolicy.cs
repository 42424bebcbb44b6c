using System.Net;
using System.Text.Json;
using SenderAuth.Dns;
using SenderAuth.Spf;

namespace SenderAuth.Bench;

/// <summary>One record of a policy fixture, in the shape both the C# and the Python side read.</summary>
public sealed record PolicyRecord(string Name, string Type, IReadOnlyList<string> Values, int Preference = 0);

/// <summary>A client IP and what check_host must say for it (the benches refuse to time a wrong answer).</summary>
public sealed record PolicyCase(string Name, string Ip, SpfResult Result, int DnsLookups);

/// <summary>
/// A DNS data set plus the identity to check, shared by our benchmarks and the peers' scripts so both
/// evaluate exactly the same records. Serialized as plain JSON (see bench/peers/pyspf_bench.py).
/// </summary>
public sealed record BenchPolicy(string Domain, string Sender, string Helo, IReadOnlyList<PolicyCase> Cases, IReadOnlyList<PolicyRecord> Records)
{
    private static readonly JsonWriterOptions Indented = new() { Indented = true };

    public DnsZone ToZone()
    {
        var zone = new DnsZone();
        foreach (var r in Records)
        {
            switch (r.Type)
            {
                case "TXT":
                    zone.Add(new TxtRecord(r.Name, 300, r.Values));
                    break;
                case "A" or "AAAA":
                    foreach (var v in r.Values)
                    {
                        zone.Add(new AddressRecord(r.Name, 300, IPAddress.Parse(v)));
                    }
                    break;
                case "MX":
                    zone.Add(new MxRecord(r.Name, 300, (ushort)r.Preference, r.Values[0]));
                    break;
                default:
                    throw new InvalidDataException($"unsupported record type {r.Type} in the policy fixture");
            }
        }
        return zone;
    }

    /// <summary>Runs every case once and throws unless result and lookup count are the expected ones.</summary>
    public async Task VerifyAsync(SpfEvaluator evaluator)
    {
        foreach (var c in Cases)
        {
            var outcome = await evaluator.CheckHostAsync(IPAddress.Parse(c.Ip), Domain, Sender, Helo).ConfigureAwait(false);
            if (outcome.Result != c.Result || outcome.DnsLookups != c.DnsLookups)
            {
                throw new InvalidOperationException(
                    $"case {c.Name}: expected {c.Result.Token()} after {c.DnsLookups} lookups, got {outcome.Result.Token()} after {outcome.DnsLookups} ({outcome.Detail})");
            }
        }
    }

    public void WriteJson(string path)
    {
        using var stream = File.Create(path);
        using var w = new Utf8JsonWriter(stream, Indented);
        w.WriteStartObject();
        w.WriteString("domain", Domain);
        w.WriteString("sender", Sender);
        w.WriteString("helo", Helo);
        w.WriteStartArray("cases");
        foreach (var c in Cases)
        {
            w.WriteStartObject();
            w.WriteString("name", c.Name);
            w.WriteString("ip", c.Ip);
            w.WriteString("result", c.Result.Token());
            w.WriteNumber("lookups", c.DnsLookups);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("records");
        foreach (var r in Records)
        {
            w.WriteStartObject();
            w.WriteString("name", r.Name);
            w.WriteString("type", r.Type);
            if (r.Type == "MX")
            {
                w.WriteNumber("preference", r.Preference);
            }
            w.WriteStartArray("values");
            foreach (var v in r.Values)
            {
                w.WriteStringValue(v);
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>The same records as an RFC 1035 master file (for <c>senderauth spf --zone</c>).</summary>
    public void WriteZoneFile(string path)
    {
        var text = new System.Text.StringBuilder("; the bench's ESP policy (BenchPolicy.WriteZoneFile)\n");
        foreach (var r in Records)
        {
            foreach (var line in r.Type switch
            {
                "TXT" => [string.Join(' ', r.Values.Select(v => "\"" + v.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\""))],
                "MX" => r.Values.Select(v => $"{r.Preference} {v}."),
                _ => r.Values,
            })
            {
                text.Append(r.Name).Append(". 300 IN ").Append(r.Type).Append(' ').Append(line).Append('\n');
            }
        }
        File.WriteAllText(path, text.ToString());
    }

    /// <summary>
    /// <paramref name="lines"/> requests for <c>spf --batch</c> and the pyspf batch peer, the cases in turn (one
    /// JSON object a line, as the CLI reads them).
    /// </summary>
    public void WriteBatchInput(string path, int lines)
    {
        using var stream = File.Create(path);
        using var w = new Utf8JsonWriter(stream);
        for (var i = 0; i < lines; i++)
        {
            var c = Cases[i % Cases.Count];
            w.Reset(stream);
            w.WriteStartObject();
            w.WriteString("ip", c.Ip);
            w.WriteString("mailFrom", Sender);
            w.WriteString("helo", Helo);
            w.WriteEndObject();
            w.Flush();
            stream.WriteByte((byte)'\n');
        }
    }

    public static BenchPolicy ReadJson(string path)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
        var root = doc.RootElement;
        var cases = root.GetProperty("cases").EnumerateArray().Select(c => new PolicyCase(
            Str(c, "name"), Str(c, "ip"),
            SpfTokens.TryParse(Str(c, "result"), out var result) ? result : throw new InvalidDataException($"bad result in {path}"),
            c.GetProperty("lookups").GetInt32())).ToList();
        var records = root.GetProperty("records").EnumerateArray().Select(r => new PolicyRecord(
            Str(r, "name"), Str(r, "type"),
            r.GetProperty("values").EnumerateArray().Select(v => v.GetString()!).ToList(),
            r.TryGetProperty("preference", out var p) ? p.GetInt32() : 0)).ToList();
        return new BenchPolicy(Str(root, "domain"), Str(root, "sender"), Str(root, "helo"), cases, records);
    }

    private static string Str(JsonElement e, string name) => e.GetProperty(name).GetString()!;
}
