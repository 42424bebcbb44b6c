using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using SenderAuth.Cli;
using SenderAuth.Cli.Commands;
using SenderAuth.Dkim;
using SenderAuth.Dns;
using SenderAuth.Json;
using SenderAuth.Spf;

namespace SenderAuth.Tests.Cli;

/// <summary>
/// The CLI's <c>--json</c> views are named records serialized through the one contract over source-generated
/// metadata (<see cref="CliJson"/>, <see cref="CliJsonContext"/>): every enum a view holds is written as the contract's
/// token, never as a number or a .NET member name, whichever view and however deep. The bytes of each command's
/// output are proven by the CLI tests through ./senderauth; this class proves the views and their serializer in process.
/// </summary>
[Trait("Layer", "cli")]
public class CliJsonContractTests
{
    /// <summary>Every view type of the CLI: the records named *View, the status row and spf --batch's request.</summary>
    public static TheoryData<Type> Views => [.. typeof(CliJson).Assembly.GetTypes()
        .Where(t => t.Namespace == "SenderAuth.Cli.Commands" && !t.IsAbstract && !t.IsEnum && !t.Name.Contains('<', StringComparison.Ordinal)
            && (t.Name.EndsWith("View", StringComparison.Ordinal) || t.Name == nameof(StatusRow) || t == typeof(SpfBatch.Request)))];

    [Theory]
    [MemberData(nameof(Views))]
    public void View_InTheSourceGeneratedContext(Type view)
    {
        // A view missing from CliJsonContext would throw NotSupportedException in the command, at run time.
        var info = CliJson.Indented.GetTypeInfo(view);

        Assert.Equal(JsonTypeInfoKind.Object, info.Kind);
        Assert.NotEmpty(info.Properties);
    }

    [Theory]
    [MemberData(nameof(Views))]
    public void View_EveryEnumItHolds_WrittenAsTheContractsToken(Type view)
    {
        var enums = new List<(string Where, Type Enum)>();
        Collect(CliJson.Indented.GetTypeInfo(view), view.Name, enums, []);

        foreach (var (where, type) in enums)
        {
            foreach (var value in Enum.GetValues(type))
            {
                var written = JsonSerializer.Serialize(value, CliJson.Compact.GetTypeInfo(type));
                AssertToken(where, value, written);
                // The same word as the reflection contract (SenderAuthJson, the API's) writes.
                Assert.Equal(JsonSerializer.Serialize(value, type, SenderAuthJson.Options), written);
            }
        }
    }

    [Fact]
    public void AssertToken_NumberOrMemberName_Fails()
    {
        // The check above would catch a view whose enum came out as a number or as its PascalCase .NET name.
        Assert.ThrowsAny<Exception>(() => AssertToken("x", SpfResult.SoftFail, "3"));
        Assert.ThrowsAny<Exception>(() => AssertToken("x", SpfResult.SoftFail, "\"SoftFail\""));
        AssertToken("x", SpfResult.SoftFail, "\"softfail\"");
    }

    [Fact]
    public async Task SpfView_OfARealCheck_WritesRfcTokensAndCodes()
    {
        var zone = ZoneFileParser.Parse("example.com. 300 IN TXT \"v=spf1 ip4:192.0.2.0/24 ~all\"\n", "example.com");
        var outcome = await new SpfEvaluator(new ZoneDnsResolver(zone)).CheckMailFromAsync(IPAddress.Parse("198.51.100.1"), "a@example.com", "h.example.org",
            TestContext.Current.CancellationToken);

        var json = JsonNode.Parse(CliJson.Write(SpfView.From(outcome, "mx.example"), indented: true))!;

        Assert.Equal("softfail", (string?)json["result"]);
        Assert.Equal(SpfReasonCodes.Code(outcome.Reason), (string?)json["reason"]);
        Assert.Equal("mailfrom", (string?)json["identity"]);
        Assert.Equal(JsonValueKind.Null, JsonDocument.Parse(json.ToJsonString()).RootElement.GetProperty("errorPosition").ValueKind);
    }

    [Fact]
    public void SmallViews_WriteTheirEnumsAsWords()
    {
        var keygen = JsonNode.Parse(CliJson.Line(new DkimKeygenView("s._domainkey.example.com", DkimKeyType.Ed25519, 256, "v=DKIM1", ["v=DKIM1"], "line", "/k.pem")))!;
        var status = JsonNode.Parse(CliJson.Line(new List<StatusRow> { new("mosa", "example.com", JsonValue.Create("verified"), null, null, SigningStatus.Suspended, null, null, null) }))!;

        Assert.Equal("ed25519", (string?)keygen["algorithm"]);
        Assert.Equal("suspended", (string?)status[0]!["signing"]);
        Assert.Equal("verified", (string?)status[0]!["state"]);
    }

    private static void AssertToken(string where, object value, string written)
    {
        Assert.True(written.StartsWith('"'), $"{where}: {value} written as {written}, not a string");
        var token = JsonSerializer.Deserialize<string>(written)!;
        Assert.False(token.All(char.IsAsciiDigit), $"{where}: {value} written as the number {token}");
        var name = value.ToString()!;
        // A mixed-case member name written as it is (what JsonStringEnumConverter without a policy does).
        Assert.False(token == name && name.Any(char.IsUpper) && name.Any(char.IsLower), $"{where}: {value} written as its .NET name {token}");
    }

    /// <summary>The enums of a view's properties, its lists' elements and its dictionaries' keys and values, recursively.</summary>
    private static void Collect(JsonTypeInfo info, string where, List<(string, Type)> enums, HashSet<Type> seen)
    {
        if (!seen.Add(info.Type))
        {
            return;
        }
        void Visit(Type type, string path)
        {
            var t = Nullable.GetUnderlyingType(type) ?? type;
            if (t.IsEnum)
            {
                enums.Add((path, t));
            }
            else if (t != typeof(string) && !typeof(JsonNode).IsAssignableFrom(t)
                && (t.Namespace?.StartsWith("SenderAuth", StringComparison.Ordinal) == true || t.IsArray
                    || (t.IsGenericType && typeof(System.Collections.IEnumerable).IsAssignableFrom(t))))
            {
                Collect(CliJson.Indented.GetTypeInfo(t), path, enums, seen);
            }
        }
        if (info.Kind == JsonTypeInfoKind.Object)
        {
            foreach (var p in info.Properties)
            {
                Assert.True(p.CustomConverter is null, $"{where}.{p.Name} has a converter of its own: the contract's must write it");
                Visit(p.PropertyType, $"{where}.{p.Name}");
            }
        }
        else if (info.Kind is JsonTypeInfoKind.Enumerable or JsonTypeInfoKind.Dictionary)
        {
            if (info.KeyType is { } key)
            {
                Visit(key, $"{where} key");
            }
            Visit(info.ElementType!, $"{where}[]");
        }
    }
}
