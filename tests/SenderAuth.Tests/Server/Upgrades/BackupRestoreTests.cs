using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using SenderAuth.Dns;
using SenderAuth.Tests.Cli;
using SenderAuth.Tests.Server.Reports;

namespace SenderAuth.Tests.Server.Upgrades;

/// <summary>
/// <c>senderauth backup</c> while the real server signs and imports under load, then <c>senderauth restore</c> onto a
/// fresh folder and a server started on it: every upload acknowledged before the backup began is there, the restored
/// keys sign (the provider's key, and an institution's own domain key, sealed by the master key in the backup), and the
/// signatures verify against the records the restored server publishes on its built-in DNS and the institution's zone
/// on Knot (and so do messages the original server signed). Signing ran while the backup did: signatures made between
/// the backup's start and end are counted. Modes, the manifest's checksums, and the refusals (a non-empty folder, a
/// damaged backup) are checked on the same backup.
/// </summary>
[Trait("Layer", "server")]
[Trait("Needs", "senderauth")]
[Trait("Needs", "knot")]
[Trait("Needs", "postgres")]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class BackupRestoreTests
{
    private const string OperatorKey = "backup-restore-operator-key-0123456789";
    private const int MaxUploads = 150;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task BackupUnderLoad_RestoredOnFreshFolder_ServesAndSignsWithTheRestoredKeys()
    {
        var knot = Env("SENDERAUTH_TEST_DNS");
        var tsig = Env("SENDERAUTH_TEST_TSIG").Split(':', 3);
        var institutionZone = Env("SENDERAUTH_TEST_INSTITUTION_ZONE");
        var temp = Directory.CreateTempSubdirectory("sa-backup-");
        try
        {
            var data = Path.Combine(temp.FullName, "data");
            var backup = Path.Combine(temp.FullName, "backup");
            var fresh = Path.Combine(temp.FullName, "restored");
            var code = $"bk{Guid.NewGuid():N}"[..10];
            var domain = $"{code}.example";
            // An institution that signs with its own domain's key (sealed in the database by the master key).
            var own = $"ow{code[2..]}";
            var ownDomain = $"{own}.{institutionZone}";
            var day = DateTime.UtcNow.Date.AddDays(-1);
            var acknowledged = new ConcurrentQueue<string>();
            var failures = new ConcurrentQueue<string>();
            string[] before;
            byte[] signedBefore, ownSignedBefore;
            // The domain check reads the institution's zone on Knot; the provider zone is the server's built-in DNS.
            string[] serve = ["serve", "--data", data, "--dns", "127.0.0.1:0", "--resolver", knot, "--SenderAuth:Resolver:TimeoutSeconds=2"];
            await using (var server = await ServerProcess.StartAsync(serve, OperatorKey, masterKey: null, Ct))
            {
                var op = server.Client();
                await op.CreateInstitution(code, "signWithProviderDomain");
                await op.CreateVerifiedDomain(code, domain);
                signedBefore = await SignAsync(op, code);
                await op.CreateInstitution(own);
                await op.CreateDomain(own, ownDomain);
                var fragment = await (await op.GetAsync($"/api/v1/institutions/{own}/domains/{ownDomain}/records?format=zone", Ct)).Content.ReadAsStringAsync(Ct);
                await KnotUpdate.SendAsync(knot, tsig, institutionZone, fragment.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                    .Where(l => !l.StartsWith(';')).Select(l => "update add " + l));
                var enabled = await (await op.PostJson($"/api/v1/institutions/{own}/domains/{ownDomain}/signing", new { enabled = true })).Json(HttpStatusCode.OK);
                Assert.True(enabled["signingEnabled"]!.GetValue<bool>(), enabled.ToJsonString());
                ownSignedBefore = await SignAsync(op, own, ownDomain);

                // The load: one client signing (both institutions, in turn), one uploading reports, until the backup
                // is done. Each signature's request start and end, to count those the backup's run contains.
                using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
                var signatures = new ConcurrentQueue<(long Start, long End)>();
                var signing = Task.Run(async () =>
                {
                    using var client = server.Client();
                    for (var n = 0; !stop.IsCancellationRequested; n++)
                    {
                        var (who, from) = n % 2 == 0 ? (code, $"tickets@{domain}") : (own, $"tickets@{ownDomain}");
                        var start = System.Diagnostics.Stopwatch.GetTimestamp();
                        using var r = await client.Sign(ApiClient.Message(from), $"?institution={who}");
                        if (r.StatusCode != HttpStatusCode.OK)
                        {
                            failures.Enqueue($"sign {who}: {(int)r.StatusCode} {await r.Content.ReadAsStringAsync(Ct)}");
                            continue;
                        }
                        signatures.Enqueue((start, System.Diagnostics.Stopwatch.GetTimestamp()));
                    }
                }, Ct);
                var uploading = Task.Run(async () =>
                {
                    using var client = server.Client();
                    for (var i = 0; i < MaxUploads && !stop.IsCancellationRequested; i++)
                    {
                        var id = $"load-{code}-{i}";
                        using var r = await ReportUploadTests.Upload(client, $"{id}.xml", Encoding.UTF8.GetBytes(ReportXml.Build("google.com", id, domain, day, [new("203.0.113.5", 1, true, true)])));
                        if (r.StatusCode == HttpStatusCode.OK)
                        {
                            acknowledged.Enqueue(id);
                        }
                        else
                        {
                            failures.Enqueue($"upload: {(int)r.StatusCode} {await r.Content.ReadAsStringAsync(Ct)}");
                        }
                    }
                }, Ct);
                while (signatures.Count < 5 || acknowledged.Count < 5)
                {
                    Assert.False(signing.IsFaulted || uploading.IsFaulted, "the load stopped before the backup began");
                    await Task.Delay(50, Ct);
                }
                before = [.. acknowledged];

                var backupStart = System.Diagnostics.Stopwatch.GetTimestamp();
                var (exit, stdout, stderr) = await CliRunner.RunAsync(null, "backup", backup, "--data", data);
                var backupEnd = System.Diagnostics.Stopwatch.GetTimestamp();

                await stop.CancelAsync();
                await Task.WhenAll(signing, uploading);
                Assert.True(exit == 0, $"backup exited {exit}: {stdout}{stderr}");
                Assert.Contains($"backed up to {backup}: sqlite at migration {UpgradeFixture.KnownMigrations()[^1]}", stdout, StringComparison.Ordinal);
                var during = signatures.Count(s => s.Start >= backupStart && s.End <= backupEnd);
                Assert.True(during > 0, $"no signature was made between the backup's start and end ({signatures.Count} in all, the backup took {System.Diagnostics.Stopwatch.GetElapsedTime(backupStart, backupEnd).TotalMilliseconds:F0} ms)");
                Assert.Empty(failures);

                // --database is read as serve reads it; a word it does not know is bad usage, named.
                var (unknown, _, unknownErr) = await CliRunner.RunAsync(null, "backup", Path.Combine(temp.FullName, "unknown"), "--data", data, "--database", "mysql");
                Assert.True(unknown == 2, $"backup --database mysql exited {unknown}: {unknownErr}");
                Assert.Contains("the server configuration is not valid", unknownErr, StringComparison.Ordinal);
                Assert.Contains("mysql", unknownErr, StringComparison.Ordinal);
            }

            // The backup: a manifest whose checksums hold, the master key and key ring in it, everything private.
            var manifest = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(backup, "manifest.json"), Ct))!;
            Assert.Equal("sqlite", manifest["database"]!.GetValue<string>());
            Assert.Equal(UpgradeFixture.KnownMigrations()[^1], manifest["migration"]!.GetValue<string>());
            Assert.True(manifest["masterKeyIncluded"]!.GetValue<bool>());
            var files = manifest["files"]!.AsArray().Select(f => f!["path"]!.GetValue<string>()).ToList();
            Assert.Contains("senderauth.db", files);
            Assert.Contains("data/master.key", files);
            Assert.Contains(files, f => f.StartsWith("data/aspnet-keys/", StringComparison.Ordinal));
            foreach (var f in manifest["files"]!.AsArray())
            {
                var path = Path.Combine(backup, f!["path"]!.GetValue<string>());
                Assert.Equal(f["sha256"]!.GetValue<string>(), Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path))));
            }
            AssertPrivate(backup);

            // Refusals: a folder that holds files, and a damaged copy (nothing written from it).
            var (refused, _, refusedErr) = await CliRunner.RunAsync(null, "restore", backup, "--data", data);
            Assert.True(refused == 2, $"restore into a non-empty folder exited {refused}: {refusedErr}");
            Assert.Contains($"the data folder {data} is not empty", refusedErr, StringComparison.Ordinal);
            var damaged = Path.Combine(temp.FullName, "damaged");
            CopyTree(backup, damaged);
            var db = Path.Combine(damaged, "senderauth.db");
            var bytes = await File.ReadAllBytesAsync(db, Ct);
            bytes[^100] ^= 0xFF;
            await File.WriteAllBytesAsync(db, bytes, Ct);
            var (damagedExit, _, damagedErr) = await CliRunner.RunAsync(null, "restore", damaged, "--data", Path.Combine(temp.FullName, "never"));
            Assert.True(damagedExit == 2, $"restore of a damaged backup exited {damagedExit}: {damagedErr}");
            Assert.Contains("is damaged, nothing was restored: senderauth.db differs from its checksum", damagedErr, StringComparison.Ordinal);
            Assert.False(Directory.Exists(Path.Combine(temp.FullName, "never")));

            // The restore, and a server on it.
            var (restoredExit, restoredOut, restoredErr) = await CliRunner.RunAsync(null, "restore", backup, "--data", fresh);
            Assert.True(restoredExit == 0, $"restore exited {restoredExit}: {restoredOut}{restoredErr}");
            AssertPrivate(fresh);
            await using (var restored = await ServerProcess.StartAsync(UpgradeFixture.Serve(fresh), OperatorKey, masterKey: null, Ct))
            {
                var op = restored.Client();
                var reports = await (await op.GetAsync($"/api/v1/institutions/{code}/domains/{domain}/reports?pageSize=200", Ct)).Json(HttpStatusCode.OK);
                var ids = reports["items"]!.AsArray().Select(r => r!["reportId"]!.GetValue<string>()).ToHashSet();
                Assert.All(before, id => Assert.Contains(id, ids));
                Assert.Subset(acknowledged.ToHashSet(), ids);

                var receiver = UpgradeFixture.Receiver(restored.DnsAddress!);
                await UpgradeTests.AssertVerifiesAsync(receiver, await SignAsync(op, code), "ticketing.example");
                await UpgradeTests.AssertVerifiesAsync(receiver, signedBefore, "ticketing.example");

                // The institution's own key, unsealed by the restored master key: its CNAMEs on Knot lead to the
                // restored server's provider zone, which must serve the same public key.
                var knotResolver = new NetworkDnsResolver(new NetworkDnsResolverOptions { Servers = [NetworkDnsResolverOptions.ParseEndpoint(knot)], Timeout = TimeSpan.FromSeconds(2) });
                var ownReceiver = new ForwardingDnsResolver(receiver, [KeyValuePair.Create<string, IDnsResolver>(institutionZone, knotResolver)]);
                await UpgradeTests.AssertVerifiesAsync(ownReceiver, await SignAsync(op, own, ownDomain), ownDomain);
                await UpgradeTests.AssertVerifiesAsync(ownReceiver, ownSignedBefore, ownDomain);
            }
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            temp.Delete(recursive: true);
        }
    }

    /// <summary>
    /// The PostgreSQL twin of the test above (issue 25): pg_dump runs while the server signs for two institutions (one
    /// with the provider's key, one with its own domain's key sealed by the master key), the dump is loaded into a fresh
    /// database with a fresh data folder, and the server started there signs with the restored keys. Its signatures, and
    /// those made while pg_dump ran, verify against the records the restored server publishes (its built-in DNS, and
    /// the institution's CNAMEs on Knot).
    /// </summary>
    [Fact]
    public async Task Postgres_BackupRunsPgDump_RestoreAndPsqlLoadIt_AndTheRestoredKeysSign()
    {
        var admin = TestServers.Get("SENDERAUTH_TEST_POSTGRES");
        if (string.IsNullOrWhiteSpace(admin))
        {
            Assert.Skip("SENDERAUTH_TEST_POSTGRES is not set: the PostgreSQL test server (tests/servers/postgres) was not started; run ./run-tests");
        }
        var knot = Env("SENDERAUTH_TEST_DNS");
        var tsig = Env("SENDERAUTH_TEST_TSIG").Split(':', 3);
        var institutionZone = Env("SENDERAUTH_TEST_INSTITUTION_ZONE");
        // Base64 of 32 fixed bytes: given by SENDERAUTH_MASTER_KEY, so the backup holds no master key and says so.
        var masterKey = Convert.ToBase64String(Enumerable.Range(7, 32).Select(i => (byte)i).ToArray());
        var source = await UpgradeFixture.CreateDatabaseAsync(admin, "sa_backup", Ct);
        var target = await UpgradeFixture.CreateDatabaseAsync(admin, "sa_restore", Ct);
        var temp = Directory.CreateTempSubdirectory("sa-backup-pg-");
        try
        {
            var (data, backup, fresh) = (Path.Combine(temp.FullName, "data"), Path.Combine(temp.FullName, "backup"), Path.Combine(temp.FullName, "restored"));
            var code = $"pg{Guid.NewGuid():N}"[..10];
            var own = $"po{code[2..]}";
            var ownDomain = $"{own}.{institutionZone}";
            byte[] signedBefore, ownSignedBefore;
            List<SigningLoad.Signature> duringBackup;
            // The institution's own domain is checked on Knot before it may sign; the provider zone is the built-in DNS.
            string[] serve = ["serve", "--data", data, "--dns", "127.0.0.1:0", "--resolver", knot, "--SenderAuth:Resolver:TimeoutSeconds=2",
                "--database", "postgres", "--connection-string", source.ConnectionString];
            await using (var server = await ServerProcess.StartAsync(serve, OperatorKey, masterKey, Ct))
            {
                var op = server.Client();
                await op.CreateInstitution(code, "signWithProviderDomain");
                signedBefore = await SignAsync(op, code);
                await op.CreateInstitution(own);
                await op.CreateDomain(own, ownDomain);
                var fragment = await (await op.GetAsync($"/api/v1/institutions/{own}/domains/{ownDomain}/records?format=zone", Ct)).Content.ReadAsStringAsync(Ct);
                await KnotUpdate.SendAsync(knot, tsig, institutionZone, fragment.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                    .Where(l => !l.StartsWith(';')).Select(l => "update add " + l));
                var enabled = await (await op.PostJson($"/api/v1/institutions/{own}/domains/{ownDomain}/signing", new { enabled = true })).Json(HttpStatusCode.OK);
                Assert.True(enabled["signingEnabled"]!.GetValue<bool>(), enabled.ToJsonString());
                ownSignedBefore = await SignAsync(op, own, ownDomain);

                // pg_dump under load: one client signing for both institutions until the backup is done.
                await using var load = SigningLoad.Start(server, Ct, (code, $"{code}.example"), (own, ownDomain));
                await load.WaitForAsync(5, Ct);
                var backupStart = System.Diagnostics.Stopwatch.GetTimestamp();
                var (exit, stdout, stderr) = await CliRunner.RunAsync(null, "backup", backup, "--data", data, "--database", "postgres", "--connection-string", source.ConnectionString);
                var backupEnd = System.Diagnostics.Stopwatch.GetTimestamp();
                await load.StopAsync();
                Assert.True(exit == 0, $"backup exited {exit}: {stdout}{stderr}");
                duringBackup = load.Within(backupStart, backupEnd);
                Assert.True(duringBackup.Count > 0, $"no signature was made while pg_dump ran ({load.Signatures.Count} in all, the backup took {System.Diagnostics.Stopwatch.GetElapsedTime(backupStart, backupEnd).TotalMilliseconds:F0} ms)");
                Assert.Empty(load.Failures);
                Assert.Contains($"backed up to {backup}: postgres at migration {UpgradeFixture.KnownMigrations(postgres: true)[^1]}", stdout, StringComparison.Ordinal);
                Assert.Contains("the master key is not in this backup (SENDERAUTH_MASTER_KEY)", stderr, StringComparison.Ordinal);

                // Without pg_dump on PATH: the files are still copied, the command to run is printed, exit 1, and the
                // backup is marked unfinished (no manifest.json), so restore refuses it. The database is chosen as serve
                // chooses it, here by the SenderAuth__… environment variables alone (in any case).
                var partial = Path.Combine(temp.FullName, "partial");
                var noDumpEnv = new Dictionary<string, string>
                {
                    ["PATH"] = PathWithout("pg_dump", temp.FullName),
                    ["SenderAuth__Database"] = "Postgres",
                    ["SenderAuth__ConnectionString"] = source.ConnectionString,
                };
                var (noDumpExit, noDumpOut, noDumpErr) = await CliRunner.RunAsync(null, noDumpEnv, "backup", partial, "--data", data);
                Assert.True(noDumpExit == 1, $"backup without pg_dump exited {noDumpExit}: {noDumpOut}{noDumpErr}");
                Assert.Contains($"pg_dump is not on PATH: the database is not in this backup yet, which is marked unfinished (manifest.incomplete.json, no manifest.json: restore refuses it); run: umask 077; PGHOST={source.Host} PGPORT={source.Port} PGUSER={source.Username} PGDATABASE={source.Database} PGPASSWORD=… pg_dump --no-owner --no-privileges --format=plain --quote-all-identifiers > {Path.Combine(partial, "senderauth.sql")}; then rename manifest.incomplete.json to manifest.json", noDumpErr, StringComparison.Ordinal);
                Assert.DoesNotContain(source.Password!, noDumpOut + noDumpErr, StringComparison.Ordinal);
                Assert.False(File.Exists(Path.Combine(partial, "senderauth.sql")));
                Assert.False(File.Exists(Path.Combine(partial, "manifest.json")), "an unfinished backup carries the finished marker");
                var partialManifest = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(partial, "manifest.incomplete.json"), Ct))!;
                Assert.Equal("postgres", partialManifest["database"]!.GetValue<string>());
                Assert.Contains(partialManifest["files"]!.AsArray(), f => f!["path"]!.GetValue<string>().StartsWith("data/aspnet-keys/", StringComparison.Ordinal));
                AssertPrivate(partial);
                var (partialRestore, _, partialRestoreErr) = await CliRunner.RunAsync(null, "restore", partial, "--data", Path.Combine(temp.FullName, "never"));
                Assert.True(partialRestore == 2, $"restore of an unfinished backup exited {partialRestore}: {partialRestoreErr}");
                Assert.Contains($"the backup in {partial} did not finish: pg_dump was not run when it was made", partialRestoreErr, StringComparison.Ordinal);
                Assert.False(Directory.Exists(Path.Combine(temp.FullName, "never")));
            }
            var manifest = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(backup, "manifest.json"), Ct))!;
            Assert.Equal("postgres", manifest["database"]!.GetValue<string>());
            Assert.False(manifest["masterKeyIncluded"]!.GetValue<bool>());
            Assert.Contains(manifest["files"]!.AsArray(), f => f!["path"]!.GetValue<string>() == "senderauth.sql");
            AssertPrivate(backup);

            var (restoredExit, restoredOut, restoredErr) = await CliRunner.RunAsync(null, "restore", backup, "--data", fresh);
            Assert.True(restoredExit == 0, $"restore exited {restoredExit}: {restoredOut}{restoredErr}");
            Assert.Contains("load the database: psql --single-transaction -v ON_ERROR_STOP=1", restoredOut, StringComparison.Ordinal);
            await UpgradeFixture.LoadDumpAsync(target, Path.Combine(backup, "senderauth.sql"), Ct);
            await using (var restored = await ServerProcess.StartAsync([.. UpgradeFixture.Serve(fresh), "--database", "postgres", "--connection-string", target.ConnectionString], OperatorKey, masterKey, Ct))
            {
                var op = restored.Client();
                var receiver = UpgradeFixture.Receiver(restored.DnsAddress!);
                await UpgradeTests.AssertVerifiesAsync(receiver, await SignAsync(op, code), "ticketing.example");
                await UpgradeTests.AssertVerifiesAsync(receiver, signedBefore, "ticketing.example");

                // The institution's own key, unsealed by the same master key from the restored database: its CNAMEs on
                // Knot lead to the restored server's provider zone, which must serve the same public key.
                var knotResolver = new NetworkDnsResolver(new NetworkDnsResolverOptions { Servers = [NetworkDnsResolverOptions.ParseEndpoint(knot)], Timeout = TimeSpan.FromSeconds(2) });
                var ownReceiver = new ForwardingDnsResolver(receiver, [KeyValuePair.Create<string, IDnsResolver>(institutionZone, knotResolver)]);
                await UpgradeTests.AssertVerifiesAsync(ownReceiver, await SignAsync(op, own, ownDomain), ownDomain);
                await UpgradeTests.AssertVerifiesAsync(ownReceiver, ownSignedBefore, ownDomain);

                // What was signed while pg_dump ran verifies too (the first and last of each institution's).
                foreach (var group in duringBackup.GroupBy(s => s.Institution))
                {
                    foreach (var signature in new[] { group.First(), group.Last() }.Distinct())
                    {
                        await UpgradeTests.AssertVerifiesAsync(ownReceiver, signature.Message, signature.Institution == own ? ownDomain : "ticketing.example");
                    }
                }
            }
        }
        finally
        {
            temp.Delete(recursive: true);
            await UpgradeFixture.DropDatabaseAsync(admin, source.Database!);
            await UpgradeFixture.DropDatabaseAsync(admin, target.Database!);
        }
    }

    private static async Task<byte[]> SignAsync(HttpClient op, string code)
    {
        using var response = await op.Sign(ApiClient.Message($"tickets@{code}.example"), $"?institution={code}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsByteArrayAsync(Ct);
    }

    /// <summary>A message from <paramref name="domain"/>, signed with that domain's own key (not the provider's).</summary>
    private static async Task<byte[]> SignAsync(HttpClient op, string code, string domain)
    {
        using var response = await op.Sign(ApiClient.Message($"tickets@{domain}"), $"?institution={code}");
        var body = await response.Content.ReadAsByteArrayAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"sign {code}: {(int)response.StatusCode} {Encoding.UTF8.GetString(body)}");
        Assert.Equal($"signed; d={domain}; s=stxsel1", response.Headers.GetValues("SenderAuth-Signing").Single());
        return body;
    }

    private static string Env(string name)
    {
        var value = TestServers.Get(name);
        if (string.IsNullOrWhiteSpace(value))
        {
            Assert.Skip($"{name} is unset (the test Knot is not running): run ./run-tests");
        }
        return value;
    }

    /// <summary>
    /// A PATH on which <paramref name="program"/> is missing and everything else is found: a folder of links to every
    /// other program of the real PATH (pg_dump sits in /usr/bin with the shell and dotnet the launcher needs).
    /// </summary>
    private static string PathWithout(string program, string under)
    {
        var bin = Directory.CreateDirectory(Path.Combine(under, "path-without-" + program)).FullName;
        foreach (var folder in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).Where(Directory.Exists))
        {
            foreach (var entry in Directory.EnumerateFiles(folder))
            {
                var link = Path.Combine(bin, Path.GetFileName(entry));
                if (Path.GetFileName(entry) != program && !File.Exists(link))
                {
                    File.CreateSymbolicLink(link, entry);
                }
            }
        }
        return bin;
    }

    /// <summary>The folder and every folder under it 0700, every file 0600.</summary>
    private static void AssertPrivate(string folder)
    {
        const UnixFileMode dir = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        const UnixFileMode file = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        Assert.Equal(dir, File.GetUnixFileMode(folder));
        foreach (var d in Directory.EnumerateDirectories(folder, "*", SearchOption.AllDirectories))
        {
            Assert.True(File.GetUnixFileMode(d) == dir, $"{d} is {File.GetUnixFileMode(d)}");
        }
        foreach (var f in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
        {
            Assert.True(File.GetUnixFileMode(f) == file, $"{f} is {File.GetUnixFileMode(f)}");
        }
    }

    private static void CopyTree(string from, string to)
    {
        foreach (var f in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, f));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(f, target);
        }
    }
}
