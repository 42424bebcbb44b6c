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
using SenderAuth.Store.Data;

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
    /// <summary>Every view type of the CLI: the records named *View and spf --batch's request.</summary>
    public static TheoryData<Type> Views => [.. typeof(CliJson).Assembly.GetTypes()
        .Where(t => t.Namespace == "SenderAuth.Cli.Commands" && !t.IsAbstract && !t.IsEnum && !t.Name.Contains('<', StringComparison.Ordinal)
            && (t.Name.EndsWith("View", StringComparison.Ordinal) || t == typeof(SpfBatch.Request)))];

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
        var status = JsonNode.Parse(CliJson.Line(new List<StatusView>
        {
            new("mosa", "example.com", DomainState.Verified, null, false, SigningStatus.Suspended, RotationStep.Retaining, "sa2", "revoke the old key"),
        }))!;

        Assert.Equal("ed25519", (string?)keygen["algorithm"]);
        Assert.Equal("suspended", (string?)status[0]!["signing"]);
        Assert.Equal("verified", (string?)status[0]!["state"]);
        Assert.Equal("retaining", (string?)status[0]!["rotationStep"]);
    }

    [Fact]
    public void AuditEntryView_WritesTheApisNamesAndUtcWithZ()
    {
        var at = new DateTime(2026, 11, 23, 10, 0, 0, DateTimeKind.Utc);
        var json = JsonNode.Parse(CliJson.Line(new List<AuditEntryView> { new(7, at, "ops", 3, "127.0.0.1", null, "domain.create", "a.example", null) }))!;

        Assert.Equal(["id", "at", "actor", "keyId", "client", "institution", "action", "subject", "detail"], json[0]!.AsObject().Select(p => p.Key));
        Assert.Equal("2026-11-23T10:00:00Z", (string?)json[0]!["at"]);
        // Nulls are written: every documented field is always present.
        Assert.Null(json[0]!["institution"]);
        Assert.True(json[0]!.AsObject().ContainsKey("institution"));
    }

    [Fact]
    public void ReadAnswer_ReadsTokensAndTimes_AndSkipsFieldsItDoesNotName()
    {
        // A server's page: the CLI reads the fields it names, through the contract's tokens, and ignores the rest.
        var page = CliJson.ReadAnswer<ServerPage<DomainAnswer>>(
            """{"items": [{"name": "a.example", "state": "degraded", "signingEnabled": true, "addedLater": {"x": 1}}], "page": 2, "pageSize": 1, "total": 3}""")!;
        var entry = CliJson.ReadAnswer<ServerPage<AuditEntryView>>(
            """{"items": [{"id": 1, "at": "2026-11-23T11:00:00+01:00", "actor": "ops", "keyId": null, "client": null, "institution": "mosa", "action": "auth.refused", "subject": "GET /", "detail": null}], "page": 1, "pageSize": 200, "total": 1}""")!;

        Assert.Equal((2, 1, 3), (page.Page, page.PageSize, page.Total));
        Assert.Equal(new DomainAnswer("a.example", DomainState.Degraded, true), Assert.Single(page.Items));
        Assert.Equal(new DateTime(2026, 11, 23, 10, 0, 0, DateTimeKind.Utc), Assert.Single(entry.Items).At);
        Assert.Equal(DateTimeKind.Utc, entry.Items[0].At.Kind);
        // A word the contract does not know is refused (the command turns it into a one-line error), never guessed.
        Assert.ThrowsAny<JsonException>(() => CliJson.ReadAnswer<RotationAnswer>("""{"step": "dancing", "signingSelector": null, "next": "x"}"""));
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
