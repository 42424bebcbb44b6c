using System.Net;
using System.Net.Http.Headers;
using SenderAuth.Server.Hosting;

namespace SenderAuth.Tests.Server;

/// <summary>
/// The secrets from systemd's <c>LoadCredential=</c> (deploy/systemd/senderauth.service): the files operator-key and
/// master-key in <c>$CREDENTIALS_DIRECTORY</c>, read by <see cref="SecretSources"/>; proven on the function and on
/// the real <c>./senderauth serve</c>.
/// </summary>
[Trait("Layer", "server")]
[Trait("Needs", "senderauth")]
public sealed class CredentialsDirectoryTests
{
    private static readonly string MasterKey = Convert.ToBase64String(Enumerable.Range(40, 32).Select(i => (byte)i).ToArray());
    private const string OperatorKey = "cred-operator-key-0123456789abcdef";

    [Fact]
    public void Read_CredentialFiles_GivesBothSecretsWithoutTheTrailingNewline()
    {
        using var dir = new Credentials(("operator-key", OperatorKey + "\n"), ("master-key", MasterKey + "\r\n"));
        var values = SecretSources.Read(Env(("CREDENTIALS_DIRECTORY", dir.Path)));
        Assert.Equal(OperatorKey, values["SenderAuth:OperatorKey"]);
        Assert.Equal(MasterKey, values["SenderAuth:MasterKey"]);
    }

    [Fact]
    public void Read_VariableAndCredential_VariableWins()
    {
        using var dir = new Credentials(("operator-key", "from-the-file-0123456789abcdef"));
        var values = SecretSources.Read(Env(("CREDENTIALS_DIRECTORY", dir.Path), ("SENDERAUTH_OPERATOR_KEY", OperatorKey)));
        Assert.Equal(OperatorKey, values["SenderAuth:OperatorKey"]);
        Assert.False(values.ContainsKey("SenderAuth:MasterKey"));
    }

    [Fact]
    public void Read_NoDirectoryOrMissingOrEmptyFiles_GivesNothing()
    {
        Assert.Empty(SecretSources.Read(Env()));
        using var dir = new Credentials(("operator-key", "\n"));
        Assert.Empty(SecretSources.Read(Env(("CREDENTIALS_DIRECTORY", dir.Path))));
    }

    [Fact]
    public void Read_CredentialThatCannotBeRead_IsAnErrorNamingTheFile()
    {
        // A file that exists and cannot be read is refused, not taken as unset (a fresh master key would orphan
        // every sealed private key). A folder in the file's place stands in for an unreadable file: root reads any mode.
        using var dir = new Credentials();
        Directory.CreateDirectory(Path.Combine(dir.Path, "master-key"));
        var e = Assert.Throws<IOException>(() => SecretSources.Read(Env(("CREDENTIALS_DIRECTORY", dir.Path))));
        Assert.Contains("master-key", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_WithCredentialsDirectory_AcceptsTheOperatorKeyAndSealsWithTheMasterKey()
    {
        var ct = TestContext.Current.CancellationToken;
        using var dir = new Credentials(("operator-key", OperatorKey + "\n"), ("master-key", MasterKey + "\n"));
        var data = Directory.CreateTempSubdirectory("sa-cred-");
        try
        {
            await using (var server = await ServerProcess.StartAsync(["serve", "--data", data.FullName, "--dns", "127.0.0.1:0"], null, null, ct, dir.Path))
            {
                using var api = server.Client();
                using var ok = await api.GetAsync(new Uri("/api/v1/institutions", UriKind.Relative), ct);
                Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
                api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "not-the-operator-key-0123456789");
                using var refused = await api.GetAsync(new Uri("/api/v1/institutions", UriKind.Relative), ct);
                Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
                Assert.DoesNotContain("operator key (shown once", server.Log, StringComparison.Ordinal);
            }
            // The master key came from the credential: none was generated into the data folder.
            Assert.False(File.Exists(Path.Combine(data.FullName, "master.key")));
        }
        finally
        {
            data.Delete(recursive: true);
        }
    }

    private static Func<string, string?> Env(params (string Name, string Value)[] variables) =>
        name => variables.FirstOrDefault(v => v.Name == name).Value;

    /// <summary>A credentials folder as systemd makes one (mode 0700 folder, 0400 files).</summary>
    private sealed class Credentials : IDisposable
    {
        public Credentials(params (string Name, string Content)[] files)
        {
            Path = Directory.CreateTempSubdirectory("sa-credentials-").FullName;
            foreach (var (name, content) in files)
            {
                var file = System.IO.Path.Combine(Path, name);
                File.WriteAllText(file, content);
                if (!OperatingSystem.IsWindows())
                {
                    File.SetUnixFileMode(file, UnixFileMode.UserRead);
                }
            }
        }

        public string Path { get; }

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
