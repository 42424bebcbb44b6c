using System.Text.Json;

namespace SenderAuth.Tests.Cli;

[Trait("Layer", "cli")]
[Trait("Needs", "senderauth")]
public class SpfCliTests
{
    private static readonly string Zone = CliRunner.Zone("spf.zone");

    [Fact]
    public async Task Spf_Pass_PrintsTableAndHeadersExit0()
    {
        var (exit, stdout, stderr) = await CliRunner.RunAsync(null, "spf", "--ip", "192.0.2.7", "--mail-from", "tickets@example.com",
            "--helo", "mta.esp.example", "--zone", Zone, "--receiver", "mx.receiver.example");
        Assert.Equal(0, exit);
        Assert.Equal(string.Empty, stderr);
        Assert.Contains("SPF pass", stdout, StringComparison.Ordinal);
        Assert.Contains("include:spf.esp.example", stdout, StringComparison.Ordinal);
        Assert.Contains("Received-SPF: pass (mx.receiver.example: domain of tickets@example.com designates 192.0.2.7 as permitted sender) client-ip=192.0.2.7; envelope-from=\"tickets@example.com\"; helo=mta.esp.example; receiver=mx.receiver.example; identity=mailfrom; mechanism=\"include:spf.esp.example\";", stdout, StringComparison.Ordinal);
        Assert.Contains("Authentication-Results: mx.receiver.example; spf=pass", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Spf_Json_HasStableFieldNames()
    {
        var (exit, stdout, _) = await CliRunner.RunAsync(null, "spf", "--ip", "203.0.113.9", "--mail-from", "a@example.com", "--zone", Zone, "--json");
        Assert.Equal(1, exit);
        using var doc = JsonDocument.Parse(stdout);
        var root = doc.RootElement;
        Assert.Equal("softfail", root.GetProperty("result").GetString());
        Assert.Equal("mechanism-matched", root.GetProperty("reason").GetString());
        Assert.Equal(2, root.GetProperty("dnsLookups").GetInt32());
        Assert.Equal(0, root.GetProperty("voidLookups").GetInt32());
        Assert.StartsWith("Received-SPF: softfail", root.GetProperty("receivedSpf").GetString(), StringComparison.Ordinal);
        foreach (var field in new[] { "result", "reason", "detail", "explanation", "dnsLookups", "voidLookups", "receivedSpf", "authenticationResults", "domain", "mechanism", "clientIp", "sender", "helo", "identity", "errorPosition" })
        {
            Assert.True(root.TryGetProperty(field, out _), $"field {field} is missing");
        }
        Assert.Equal(System.Text.Json.JsonValueKind.Null, root.GetProperty("explanation").ValueKind);
    }

    [Theory]
    [InlineData("a@broken.example.com", 4, "permerror")]
    [InlineData("a@twice.example.com", 4, "permerror")]
    [InlineData("a@nowhere.example.com", 1, "none")]
    public async Task Spf_ResultMapsToExitCode(string mailFrom, int expectedExit, string result)
    {
        var (exit, stdout, _) = await CliRunner.RunAsync(null, "spf", "--ip", "192.0.2.1", "--mail-from", mailFrom, "--zone", Zone, "--json");
        Assert.Equal(expectedExit, exit);
        Assert.Equal(result, JsonDocument.Parse(stdout).RootElement.GetProperty("result").GetString());
    }

    [Theory]
    [InlineData(new[] { "spf", "--ip", "not-an-ip", "--mail-from", "a@example.com" }, "not an IP address")]
    [InlineData(new[] { "spf", "--mail-from", "a@example.com" }, "--ip is required")]
    [InlineData(new[] { "spf", "--ip", "192.0.2.1", "--mail-from", "a@example.com", "--zone", "/nonexistent.zone" }, "zone file not found")]
    [InlineData(new[] { "spf", "--ip", "192.0.2.1", "--mail-from", "a@example.com", "--resolver", "999.1.1.1:x" }, "--resolver")]
    [InlineData(new[] { "spf", "--bogus" }, "--bogus")]
    public async Task Spf_BadUsage_OneLineOnStderrExit2(string[] args, string message)
    {
        var (exit, _, stderr) = await CliRunner.RunAsync(null, args);
        Assert.Equal(2, exit);
        Assert.Contains(message, stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Spf_Batch_OneResultPerLineInOrder()
    {
        var input = """
            {"ip":"192.0.2.7","mailFrom":"a@example.com","helo":"h.example"}
            {"ip":"203.0.113.1","mailFrom":"a@example.com"}

            not json
            {"ip":"2001:db8::5","mailFrom":"","helo":"example.com"}
            """;
        var (exit, stdout, _) = await CliRunner.RunAsync(input, "spf", "--batch", "--zone", Zone);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, lines.Length);
        var docs = lines.Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal("pass", docs[0].GetProperty("result").GetString());
        Assert.Equal("softfail", docs[1].GetProperty("result").GetString());
        Assert.Equal(4, docs[2].GetProperty("line").GetInt32());
        Assert.Contains("not valid JSON", docs[2].GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal("pass", docs[3].GetProperty("result").GetString());
        Assert.Equal("helo", docs[3].GetProperty("identity").GetString());
        Assert.Equal(2, exit);
    }

    [Fact]
    public async Task Spf_Batch_HostileLines_ErrorOnTheirLineWhileTheBatchGoesOn()
    {
        const string good = "{\"ip\":\"192.0.2.7\",\"mailFrom\":\"a@example.com\"}";
        using var input = new MemoryStream();
        void Line(byte[] bytes, string end = "\n")
        {
            input.Write(bytes);
            input.Write(System.Text.Encoding.ASCII.GetBytes(end));
        }
        void Text(string text, string end = "\n") => Line(System.Text.Encoding.UTF8.GetBytes(text), end);
        // More lines than one chunk of the batch, so order across chunks is checked too.
        for (var i = 0; i < 20; i++)
        {
            Text(good, i % 2 == 0 ? "\n" : "\r\n");
        }
        Line([.. "{\"ip\":\"192.0.2.7\",\"mailFrom\":\"a"u8, 0xFF, 0xFE, .. "@example.com\"}"u8]);         // line 21
        Text("{\"ip\":\"192.0.2.7\",\"mailFrom\":\"" + new string('a', 70_000) + "@example.com\"}");  // 22: over the limit
        Text(new string('x', 3_000_000));                                                                // 23: streamed past
        Text("{\"ip\":\"192.0.2.7\",");                                                                // 24: cut short
        Text("{\"ip\":\"192.0.2.7\",\"mailFrom\":\"a@example.com\",\"extra\":1}");                     // 25: unknown member
        Text(good, "");                                                                                  // 26: no line end

        var (exit, stdout, stderr) = await RunBytesAsync(input.ToArray(), "spf", "--batch", "--zone", Zone);

        Assert.Equal(2, exit);
        Assert.Equal(string.Empty, stderr);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(Enumerable.Range(1, 26), lines.Select(l => l.GetProperty("line").GetInt32()));
        Assert.All(lines.Take(20), l => Assert.Equal("pass", l.GetProperty("result").GetString()));
        string Error(int line) => lines[line - 1].GetProperty("error").GetString()!;
        Assert.Equal("not valid UTF-8", Error(21));
        Assert.Equal("line longer than 65536 characters", Error(22));
        Assert.Equal("line longer than 65536 characters", Error(23));
        Assert.StartsWith("not valid JSON: ", Error(24), StringComparison.Ordinal);
        Assert.Contains("'extra' could not be mapped", Error(25), StringComparison.Ordinal);
        Assert.Equal("pass", lines[25].GetProperty("result").GetString());
    }

    [Fact]
    public async Task Spf_Batch_OutputIsSpfJsonWithTheLineFirst()
    {
        var (_, single, _) = await CliRunner.RunAsync(null, "spf", "--ip", "203.0.113.9", "--mail-from", "a@example.com", "--zone", Zone,
            "--receiver", "mx.receiver.example", "--json");
        var (exit, batch, _) = await CliRunner.RunAsync("{\"ip\":\"203.0.113.9\",\"mailFrom\":\"a@example.com\"}\n", "spf", "--batch",
            "--zone", Zone, "--receiver", "mx.receiver.example");
        Assert.Equal(0, exit);
        // The same fields, values and order as one check's --json (compact), "line" first.
        var compact = JsonSerializer.Serialize(JsonDocument.Parse(single).RootElement, new JsonSerializerOptions
        {
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        });
        Assert.Equal("{\"line\":1," + compact[1..] + "\n", batch);
    }

    /// <summary>The CLI with raw bytes on stdin (invalid UTF-8 cannot go through a string).</summary>
    private static async Task<(int Exit, string Out, string Err)> RunBytesAsync(byte[] stdin, params string[] args)
    {
        await SenderAuth.Tests.Shipped.Launcher.EnsureBuiltAsync();
        var psi = SenderAuth.Tests.Shipped.Launcher.StartInfo(args);
        psi.RedirectStandardInput = true;
        using var process = System.Diagnostics.Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.BaseStream.WriteAsync(stdin);
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    [Fact]
    public async Task Lint_Domain_CountsLookupsAndFlagsProblems()
    {
        var (exit, stdout, _) = await CliRunner.RunAsync(null, "spf", "lint", "heavy.example.com", "--zone", Zone, "--json");
        Assert.Equal(1, exit);
        var root = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal(11, root.GetProperty("dnsLookups").GetInt32());
        Assert.Equal(1, root.GetProperty("voidLookups").GetInt32());
        var codes = root.GetProperty("findings").EnumerateArray().Select(f => f.GetProperty("code").GetString()).ToList();
        Assert.Contains("too-many-lookups", codes);
        Assert.Contains("plus-all", codes);
        Assert.Contains("ptr", codes);
        Assert.Contains("void-lookup", codes);
    }

    [Theory]
    [InlineData("twice.example.com", "multiple-records", 1)]
    [InlineData("old.example.com", "type99-record", 1)]
    [InlineData("broken.example.com", "syntax-error", 1)]
    [InlineData("example.com", "softfail-all", 0)]
    public async Task Lint_Domain_FindsNamedProblem(string domain, string code, int expectedExit)
    {
        var (exit, stdout, _) = await CliRunner.RunAsync(null, "spf", "lint", domain, "--zone", Zone, "--json");
        Assert.Equal(expectedExit, exit);
        var codes = JsonDocument.Parse(stdout).RootElement.GetProperty("findings").EnumerateArray().Select(f => f.GetProperty("code").GetString());
        Assert.Contains(code, codes);
    }

    [Fact]
    public async Task Lint_RecordText_PrintsTreeAndTable()
    {
        var (exit, stdout, _) = await CliRunner.RunAsync(null, "spf", "lint", "v=spf1 include:spf.esp.example ptr -all", "--zone", Zone);
        Assert.Equal(0, exit);
        Assert.Contains("include:spf.esp.example", stdout, StringComparison.Ordinal);
        Assert.Contains("a:out.esp.example", stdout, StringComparison.Ordinal);
        Assert.Contains("DNS lookups after expansion: 3 of 10", stdout, StringComparison.Ordinal);
        Assert.Contains("ptr", stdout, StringComparison.Ordinal);
    }
}
