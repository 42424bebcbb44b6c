using System.CommandLine;
using SenderAuth.Dkim;

namespace SenderAuth.Cli.Commands;

/// <summary><c>senderauth dkim sign</c>: stdin to stdout, or many files into a directory in one process.</summary>
internal static class DkimSignCommand
{
    public static Command Create()
    {
        var key = new Option<FileInfo>("--key") { Description = "Private key (PEM, PKCS#1 or PKCS#8; RSA or Ed25519).", Required = true };
        var domain = new Option<string>("--domain") { Description = "The signing domain (d=).", Required = true };
        var selector = new Option<string>("--selector") { Description = "The selector (s=).", Required = true };
        var secondKey = new Option<FileInfo?>("--second-key") { Description = "A second key (e.g. Ed25519) for dual signing in the same pass." };
        var secondSelector = new Option<string?>("--second-selector") { Description = "The selector of the second key." };
        var headers = new Option<string?>("--headers") { Description = "Colon-separated headers to sign (default: From, To, Cc, Subject, Date, Message-ID, …)." };
        var canonicalization = new Option<string>("--canonicalization") { Description = "header/body: simple or relaxed.", DefaultValueFactory = _ => "relaxed/relaxed" };
        var expire = new Option<int?>("--expire") { Description = "Add x= this many seconds after t=." };
        var outDir = new Option<DirectoryInfo?>("--out-dir") { Description = "Write each signed FILE here under its own name (pickup-directory run)." };
        var fsync = new Option<bool>("--fsync") { Description = "With --out-dir: flush each signed file to disk before renaming it into place (slower; without it a file appears whole or not at all, but only the page cache holds it until the kernel writes it back)." };
        var files = new Argument<FileInfo[]>("FILE") { Description = "Messages to sign; none: read stdin, write stdout.", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("sign", "DKIM-sign raw RFC 5322 messages (CRLF or LF); output is the input plus the DKIM-Signature field.\n"
            + "Exit codes: 0 all signed, 1 a message was refused (no From, several From, an ambiguous header line), 2 bad usage or a FILE\n"
            + "that could not be read or written (each refused or failed FILE is named on stderr and the others are still signed), 70 internal error.")
        {
            key, domain, selector, secondKey, secondSelector, headers, canonicalization, expire, outDir, fsync, files,
        };
        command.SetAction((parse, ct) => CliApp.Guard(async () =>
        {
            var signer = BuildSigner(parse, key, domain, selector, secondKey, secondSelector, headers, canonicalization, expire);
            var inputs = parse.GetValue(files) ?? [];
            var dir = parse.GetValue(outDir);
            if (inputs.Length == 0)
            {
                using var stdin = new MemoryStream();
                await Console.OpenStandardInput().CopyToAsync(stdin, ct).ConfigureAwait(false);
                var signed = SignOne(signer, stdin.ToArray(), "stdin");
                if (signed is null)
                {
                    return ExitCodes.Negative;
                }
                await using var stdout = Console.OpenStandardOutput();
                await stdout.WriteAsync(signed, ct).ConfigureAwait(false);
                return ExitCodes.Ok;
            }
            if (dir is null)
            {
                throw new UsageException("--out-dir is required when FILEs are given");
            }
            dir.Create();
            var batch = new DkimSignBatch(signer, dir.FullName, parse.GetValue(fsync));
            batch.Run(inputs, ct);
            Console.Error.WriteLine($"signed {batch.Signed} of {inputs.Length} messages into {dir.FullName}");
            // An input or output that failed is the caller's to fix (2) before a message we refused (1).
            return batch.Unreadable + batch.Unwritable > 0 ? ExitCodes.Usage : batch.Refused > 0 ? ExitCodes.Negative : ExitCodes.Ok;
        }));
        return command;
    }

    private static byte[]? SignOne(DkimSigner signer, byte[] message, string name)
    {
        try
        {
            return signer.Sign(message);
        }
        catch (DkimSignException e)
        {
            CliOutput.Error($"{name}: not signed ({e.Refusal.Code()}): {e.Message}");
            return null;
        }
    }

    private static DkimSigner BuildSigner(ParseResult parse, Option<FileInfo> key, Option<string> domain, Option<string> selector,
        Option<FileInfo?> secondKey, Option<string?> secondSelector, Option<string?> headers, Option<string> canonicalization, Option<int?> expire)
    {
        var d = parse.GetValue(domain)!.TrimEnd('.').ToLowerInvariant();
        var keys = new List<DkimSigningKey> { new(d, parse.GetValue(selector)!, ReadKey(parse.GetValue(key)!)) };
        if (parse.GetValue(secondKey) is { } second)
        {
            var s2 = parse.GetValue(secondSelector) ?? throw new UsageException("--second-key needs --second-selector");
            keys.Add(new DkimSigningKey(d, s2, ReadKey(second)));
        }
        var c = parse.GetValue(canonicalization)!.Split('/');
        if (c.Length != 2 || !c.All(x => x is "simple" or "relaxed"))
        {
            throw new UsageException("--canonicalization must be header/body, each simple or relaxed");
        }
        var options = new DkimSignerOptions
        {
            Keys = keys,
            HeaderCanonicalization = c[0] == "simple" ? DkimCanonicalization.Simple : DkimCanonicalization.Relaxed,
            BodyCanonicalization = c[1] == "simple" ? DkimCanonicalization.Simple : DkimCanonicalization.Relaxed,
            Expiration = parse.GetValue(expire) is { } x ? TimeSpan.FromSeconds(x) : null,
        };
        if (parse.GetValue(headers) is { } h)
        {
            options = options with { Headers = h.Split(':', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) };
        }
        try
        {
            return new DkimSigner(options);
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message);
        }
    }

    private static DkimPrivateKey ReadKey(FileInfo file)
    {
        if (!file.Exists)
        {
            throw new UsageException($"key file not found: {file.FullName}");
        }
        try
        {
            return DkimPrivateKey.FromPem(File.ReadAllText(file.FullName));
        }
        catch (FormatException e)
        {
            throw new UsageException($"{file.FullName}: {e.Message}");
        }
    }
}
