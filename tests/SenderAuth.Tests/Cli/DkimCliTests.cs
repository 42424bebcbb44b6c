using System.Text.Json;

namespace SenderAuth.Tests.Cli;

[Trait("Layer", "cli")]
[Trait("Needs", "senderauth")]
public sealed class DkimCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sa-dkim-cli").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string PathOf(string name) => Path.Combine(_dir, name);

    private async Task<string> KeygenAsync(string selector, string algorithm)
    {
        var (exit, stdout, stderr) = await CliRunner.RunAsync(null, "dkim", "keygen", "--domain", "example.com", "--selector", selector,
            "--algorithm", algorithm, "--out", PathOf(selector + ".pem"));
        Assert.Equal(0, exit);
        Assert.Contains("private key written", stderr, StringComparison.Ordinal);
        Assert.StartsWith($"{selector}._domainkey.example.com. 3600 IN TXT (", stdout, StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(PathOf(selector + ".pem")));
        }
        return stdout;
    }

    [Fact]
    public async Task KeygenSignVerify_PickupDirectoryAndStdin_EndToEnd()
    {
        var zone = await KeygenAsync("rsa1", "rsa") + await KeygenAsync("ed1", "ed25519");
        await File.WriteAllTextAsync(PathOf("keys.zone"), zone);
        var inbox = Directory.CreateDirectory(PathOf("in")).FullName;
        await File.WriteAllTextAsync(Path.Combine(inbox, "a.eml"), "From: A <a@example.com>\nTo: b@example.net\nSubject: one\n\nbody one\n");
        await File.WriteAllTextAsync(Path.Combine(inbox, "b.eml"), "From: a@example.com\r\nSubject: two\r\n\r\nbody two\r\n");
        await File.WriteAllTextAsync(Path.Combine(inbox, "bad.eml"), "Subject: no from\r\n\r\nbody\r\n");
        await File.WriteAllTextAsync(Path.Combine(inbox, "smuggled.eml"), "From: a@example.com\r\n\v, Evil <evil@attacker.example>\r\nSubject: s\r\n\r\nbody\r\n");

        var (exit, _, stderr) = await CliRunner.RunAsync(null, "dkim", "sign", "--key", PathOf("rsa1.pem"), "--domain", "example.com", "--selector", "rsa1",
            "--second-key", PathOf("ed1.pem"), "--second-selector", "ed1", "--out-dir", PathOf("out"),
            Path.Combine(inbox, "a.eml"), Path.Combine(inbox, "b.eml"), Path.Combine(inbox, "bad.eml"), Path.Combine(inbox, "smuggled.eml"));
        Assert.Equal(1, exit);
        Assert.Contains("bad.eml: not signed (no-from): the message has no From header", stderr, StringComparison.Ordinal);
        Assert.Contains("smuggled.eml: not signed (ambiguous-header): ambiguous header: line 2 (after From) begins with U+000B", stderr, StringComparison.Ordinal);
        Assert.Contains("signed 2 of 4 messages", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(PathOf("out/bad.eml")));
        Assert.False(File.Exists(PathOf("out/smuggled.eml")));

        // The same line put into a signed message after signing: every signature permerror, the line's code in JSON.
        var forged = (await File.ReadAllTextAsync(PathOf("out/b.eml"))).Replace("From: a@example.com\r\n", "From: a@example.com\r\n\v, Evil <evil@attacker.example>\r\n", StringComparison.Ordinal);
        var (fexit, fout, _) = await CliRunner.RunAsync(forged, "dkim", "verify", "--zone", PathOf("keys.zone"), "--json");
        Assert.Equal(1, fexit);
        var froot = JsonDocument.Parse(fout).RootElement;
        Assert.All(froot.GetProperty("signatures").EnumerateArray(), sig =>
        {
            Assert.Equal(("permerror", "ambiguous-header"), (sig.GetProperty("result").GetString(), sig.GetProperty("reason").GetString()));
            Assert.Equal("leading-control-character", sig.GetProperty("ambiguity").GetProperty("reason").GetString());
        });
        var ambiguity = Assert.Single(froot.GetProperty("ambiguities").EnumerateArray().ToList());
        Assert.Equal(("From", "U+000B"), (ambiguity.GetProperty("follows").GetString(), ambiguity.GetProperty("character").GetString()));

        foreach (var name in new[] { "a.eml", "b.eml" })
        {
            var (vexit, vout, _) = await CliRunner.RunAsync(null, "dkim", "verify", "--zone", PathOf("keys.zone"), "--json", PathOf("out/" + name));
            Assert.Equal(0, vexit);
            var sigs = JsonDocument.Parse(vout).RootElement.GetProperty("signatures").EnumerateArray().ToList();
            Assert.Equal(["pass", "pass"], sigs.Select(s => s.GetProperty("result").GetString()));
            Assert.Equal(["rsa-sha256", "ed25519-sha256"], sigs.Select(s => s.GetProperty("algorithm").GetString()));
        }

        var (sexit, signed, _) = await CliRunner.RunAsync("From: a@example.com\nSubject: s\n\nhi\n", "dkim", "sign", "--key", PathOf("ed1.pem"),
            "--domain", "example.com", "--selector", "ed1");
        Assert.Equal(0, sexit);
        Assert.EndsWith("From: a@example.com\nSubject: s\n\nhi\n", signed, StringComparison.Ordinal);
        var tampered = signed.Replace("hi\n", "ho\n", StringComparison.Ordinal);
        var (texit, tout, _) = await CliRunner.RunAsync(tampered, "dkim", "verify", "--zone", PathOf("keys.zone"), "--json");
        Assert.Equal(1, texit);
        Assert.Equal("body-hash-mismatch", JsonDocument.Parse(tout).RootElement.GetProperty("signatures")[0].GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Sign_OutDir_UnreadableUnwritableAndRefusedFiles_NamedWhileTheBatchGoesOn()
    {
        await KeygenAsync("ed1", "ed25519");
        var inbox = Directory.CreateDirectory(PathOf("in")).FullName;
        var outbox = PathOf("out");
        // More messages than one hand-over chunk between the pipeline's threads, with the failures in between.
        var good = Enumerable.Range(0, 40).Select(i => Path.Combine(inbox, $"m{i:00}.eml")).ToList();
        foreach (var (file, i) in good.Select((f, i) => (f, i)))
        {
            await File.WriteAllTextAsync(file, $"From: a@example.com\r\nSubject: {i}\r\n\r\nbody {i}\r\n");
        }
        var missing = Path.Combine(inbox, "missing.eml");
        var directory = Directory.CreateDirectory(Path.Combine(inbox, "folder.eml")).FullName;
        var noFrom = Path.Combine(inbox, "nofrom.eml");
        await File.WriteAllTextAsync(noFrom, "Subject: no from\r\n\r\nbody\r\n");
        var blocked = Path.Combine(inbox, "blocked.eml");
        await File.WriteAllTextAsync(blocked, "From: a@example.com\r\n\r\nbody\r\n");
        // The target name is taken by a directory: the rename cannot replace it.
        Directory.CreateDirectory(Path.Combine(outbox, "blocked.eml"));

        string[] inputs = [.. good[..10], missing, directory, .. good[10..25], noFrom, blocked, .. good[25..]];
        var (exit, _, stderr) = await CliRunner.RunAsync(null, ["dkim", "sign", "--key", PathOf("ed1.pem"), "--domain", "example.com",
            "--selector", "ed1", "--out-dir", outbox, .. inputs]);

        Assert.Equal(2, exit);
        Assert.Contains("senderauth: missing.eml: not read: ", stderr, StringComparison.Ordinal);
        Assert.Contains("senderauth: folder.eml: not read: ", stderr, StringComparison.Ordinal);
        Assert.Contains("senderauth: nofrom.eml: not signed (no-from)", stderr, StringComparison.Ordinal);
        Assert.Contains("senderauth: blocked.eml: not written: ", stderr, StringComparison.Ordinal);
        Assert.Contains($"signed 40 of {inputs.Length} messages", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
        foreach (var (file, i) in good.Select((f, i) => (f, i)))
        {
            var signed = await File.ReadAllTextAsync(Path.Combine(outbox, Path.GetFileName(file)));
            Assert.StartsWith("DKIM-Signature: v=1; a=ed25519-sha256;", signed, StringComparison.Ordinal);
            Assert.EndsWith($"From: a@example.com\r\nSubject: {i}\r\n\r\nbody {i}\r\n", signed, StringComparison.Ordinal);
        }
        Assert.Equal(40, Directory.GetFiles(outbox).Length);
        Assert.Empty(Directory.GetFiles(outbox, "*.tmp"));
    }

    [Fact]
    public async Task Keygen_Defaults_AreRsa2048()
    {
        var (exit, stdout, _) = await CliRunner.RunAsync(null, "dkim", "keygen", "--domain", "example.com", "--selector", "d", "--out", PathOf("d.pem"));
        Assert.Equal(0, exit);
        Assert.Contains("k=rsa", stdout, StringComparison.Ordinal);
        using var key = SenderAuth.Dkim.DkimPrivateKey.FromPem(await File.ReadAllTextAsync(PathOf("d.pem")));
        Assert.Equal((SenderAuth.Dkim.DkimKeyType.Rsa, 2048), (key.KeyType, key.KeySize));
    }

    [Fact]
    public async Task Keygen_ExistingFile_RefusedWithoutForce()
    {
        await File.WriteAllTextAsync(PathOf("k.pem"), "keep me");
        var (exit, _, stderr) = await CliRunner.RunAsync(null, "dkim", "keygen", "--domain", "example.com", "--selector", "s", "--out", PathOf("k.pem"));
        Assert.Equal(2, exit);
        Assert.Contains("use --force", stderr, StringComparison.Ordinal);
        Assert.Equal("keep me", await File.ReadAllTextAsync(PathOf("k.pem")));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Keygen_SymbolicLink_RefusedWithoutForce_ReplacedNotFollowedWithForce()
    {
        // A link planted where the key goes: to a file the attacker wants overwritten, and a dangling one (to a file
        // the attacker would then read). Neither may be written through.
        await File.WriteAllTextAsync(PathOf("victim.txt"), "keep me");
        File.SetUnixFileMode(PathOf("victim.txt"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        File.CreateSymbolicLink(PathOf("link.pem"), PathOf("victim.txt"));
        File.CreateSymbolicLink(PathOf("dangling.pem"), PathOf("planted.pem"));
        foreach (var link in new[] { "link.pem", "dangling.pem" })
        {
            var (exit, _, stderr) = await CliRunner.RunAsync(null, "dkim", "keygen", "--domain", "example.com", "--selector", "s", "--algorithm", "ed25519", "--out", PathOf(link));
            Assert.Equal(2, exit);
            Assert.Contains("symbolic link", stderr, StringComparison.Ordinal);
        }
        Assert.False(File.Exists(PathOf("planted.pem")));

        var (forced, _, _) = await CliRunner.RunAsync(null, "dkim", "keygen", "--domain", "example.com", "--selector", "s", "--algorithm", "ed25519", "--out", PathOf("link.pem"), "--force");
        Assert.Equal(0, forced);
        Assert.Equal("keep me", await File.ReadAllTextAsync(PathOf("victim.txt")));
        var written = new FileInfo(PathOf("link.pem"));
        Assert.Null(written.LinkTarget);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(written.FullName));
        using var key = SenderAuth.Dkim.DkimPrivateKey.FromPem(await File.ReadAllTextAsync(written.FullName));
        Assert.Equal(SenderAuth.Dkim.DkimKeyType.Ed25519, key.KeyType);
        // No temporary file is left beside it.
        Assert.Empty(Directory.GetFiles(_dir, ".link.pem.*"));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Keygen_ForceOverAReadableFile_LeavesOnlyTheOwnerReading()
    {
        // FileMode.Create kept the old file's 0644; the key must come out 0600 whatever was there.
        await File.WriteAllTextAsync(PathOf("old.pem"), "old key");
        File.SetUnixFileMode(PathOf("old.pem"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var (exit, _, _) = await CliRunner.RunAsync(null, "dkim", "keygen", "--domain", "example.com", "--selector", "s", "--algorithm", "ed25519", "--out", PathOf("old.pem"), "--force");
        Assert.Equal(0, exit);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(PathOf("old.pem")));
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", await File.ReadAllTextAsync(PathOf("old.pem")), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--bits", "512", "--bits must be")]
    [InlineData("--algorithm", "dsa", "dsa")]
    public async Task Keygen_BadOptions_Exit2(string option, string value, string message)
    {
        var (exit, _, stderr) = await CliRunner.RunAsync(null, "dkim", "keygen", "--domain", "example.com", "--selector", "s", "--out", PathOf("x.pem"), option, value);
        Assert.Equal(2, exit);
        Assert.Contains(message, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sign_MissingKeyFile_Exit2()
    {
        var (exit, _, stderr) = await CliRunner.RunAsync("From: a@example.com\n\nx\n", "dkim", "sign", "--key", PathOf("none.pem"), "--domain", "example.com", "--selector", "s");
        Assert.Equal(2, exit);
        Assert.Contains("key file not found", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_Unsigned_IsNoneExit1()
    {
        var (exit, stdout, _) = await CliRunner.RunAsync("From: a@example.com\n\nx\n", "dkim", "verify", "--zone", CliRunner.Zone("spf.zone"));
        Assert.Equal(1, exit);
        Assert.Contains("DKIM none", stdout, StringComparison.Ordinal);
    }
}
