using System.CommandLine;
using SenderAuth.Dkim;

namespace SenderAuth.Cli.Commands;

/// <summary><c>senderauth dkim keygen | sign | verify</c>.</summary>
internal static class DkimCommand
{
    public static Command Create()
    {
        var command = new Command("dkim", "DKIM keys, signing and verification (RFC 6376, RFC 8463).");
        command.Subcommands.Add(Keygen());
        command.Subcommands.Add(DkimSignCommand.Create());
        command.Subcommands.Add(DkimVerifyCommand.Create());
        return command;
    }

    private static Command Keygen()
    {
        // The enum parsed from exactly the two words (AcceptOnlyFromAmong also keeps numbers out, which enum parsing takes).
        var algorithm = new Option<DkimKeyType>("--algorithm") { Description = "rsa or ed25519.", DefaultValueFactory = _ => DkimKeyType.Rsa };
        algorithm.AcceptOnlyFromAmong("rsa", "ed25519");
        var bits = new Option<int>("--bits") { Description = "RSA modulus size, 1024 to 4096.", DefaultValueFactory = _ => 2048 };
        var domain = new Option<string>("--domain") { Description = "The signing domain (d=).", Required = true };
        var selector = new Option<string>("--selector") { Description = "The selector (s=).", Required = true };
        var output = new Option<FileInfo>("--out") { Description = "Where to write the private key (PEM, mode 0600).", Required = true };
        var force = new Option<bool>("--force") { Description = "Replace an existing key file (or a symbolic link there: the link itself is replaced, never followed)." };
        var json = new Option<bool>("--json") { Description = "Print JSON." };
        var command = new Command("keygen", "Generate a key pair, write the private key, print the TXT record to publish.\n"
            + "Exit codes: 0 written, 2 bad usage (or the file exists without --force), 70 internal error.")
        {
            algorithm, bits, domain, selector, output, force, json,
        };
        command.SetAction((parse, _) => CliApp.Guard(() =>
        {
            var file = parse.GetValue(output)!;
            // FileInfo.Exists follows a link (and says false for a dangling one); LinkTarget sees the link itself.
            if ((file.Exists || file.LinkTarget is not null || Directory.Exists(file.FullName)) && !parse.GetValue(force))
            {
                throw new UsageException($"{file.FullName} exists{(file.LinkTarget is not null ? " (a symbolic link)" : "")}; use --force to replace it");
            }
            if (Directory.Exists(file.FullName))
            {
                throw new UsageException($"{file.FullName} is a directory");
            }
            var type = parse.GetValue(algorithm);
            var size = parse.GetValue(bits);
            if (type == DkimKeyType.Rsa && (size is < 1024 or > 4096 || size % 8 != 0))
            {
                throw new UsageException("--bits must be 1024 to 4096, a multiple of 8");
            }
            var d = parse.GetValue(domain)!.TrimEnd('.').ToLowerInvariant();
            var s = parse.GetValue(selector)!;
            if (!Dns.DnsName.IsValid($"{s}._domainkey.{d}"))
            {
                throw new UsageException($"\"{s}._domainkey.{d}\" is not a valid DNS name");
            }
            using var key = DkimPrivateKey.Generate(type, size);
            WritePrivate(file.FullName, key.ExportPem(), parse.GetValue(force));
            var txt = DkimKeyRecord.TxtValue(key.PublicKey);
            var name = $"{s}._domainkey.{d}";
            if (parse.GetValue(json))
            {
                CliOutput.WriteJson(new DkimKeygenView(name, type, key.KeySize, txt, DkimKeyRecord.TxtStrings(txt),
                    DkimKeyRecord.ZoneFileLine(s, d, key.PublicKey), file.FullName));
            }
            else
            {
                Console.Error.WriteLine($"private key written to {file.FullName} ({(type == DkimKeyType.Rsa ? $"RSA-{key.KeySize}" : "Ed25519")}); publish this record:");
                Console.Out.WriteLine(DkimKeyRecord.ZoneFileLine(s, d, key.PublicKey));
            }
            return Task.FromResult(ExitCodes.Ok);
        }));
        return command;
    }

    /// <summary>
    /// Writes a private key readable by its owner only, from the first byte. Without <paramref name="replace"/>, the
    /// file is created new (O_CREAT|O_EXCL): an existing file or a symbolic link there, even a dangling one, is refused
    /// rather than written through, so no one can point the key at a file of their choosing or keep a looser mode.
    /// With it, the key goes to a new temporary file beside it, renamed over the old name: rename(2) replaces the
    /// name itself (a link is replaced, not followed) and a reader sees the old key or the new one, never half.
    /// </summary>
    internal static void WritePrivate(string path, string pem, bool replace)
    {
        var target = replace ? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp") : path;
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        try
        {
            using (var stream = new FileStream(target, options))
            using (var writer = new StreamWriter(stream))
            {
                writer.Write(pem);
                writer.Flush();
                stream.Flush(flushToDisk: true);
            }
            if (replace)
            {
                File.Move(target, path, overwrite: true);
            }
        }
        catch (IOException e) when (!replace && (File.Exists(path) || new FileInfo(path).LinkTarget is not null))
        {
            throw new UsageException($"{path} appeared while the key was generated; use --force to replace it ({e.Message})");
        }
        finally
        {
            if (replace && File.Exists(target))
            {
                File.Delete(target);
            }
        }
    }
}
