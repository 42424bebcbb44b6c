using System.ComponentModel.DataAnnotations;
using System.Net;
using Microsoft.Extensions.Options;
using SenderAuth.Dns;

namespace SenderAuth.Server.Hosting;

/// <summary>
/// The core of the start-up check: database, secrets, and the unknown words of enum settings.
/// Each feature checks its own section (<see cref="SectionCheck{TSection}"/> runs them); the server does not start on any problem.
/// </summary>
/// <param name="enums">Unknown words for enum settings, found before binding (<see cref="EnumSettings"/>).</param>
public sealed class ServerOptionsValidator(EnumSettings? enums = null) : IValidateOptions<ServerOptions>
{
    public ValidateOptionsResult Validate(string? name, ServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>(enums?.Problems ?? []);
        var db = options.Database;
        if (db == DatabaseKind.Postgres && string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            errors.Add("SenderAuth:ConnectionString is required with Database=postgres (Npgsql form: Host=…;Database=…;Username=…;Password=…)");
        }
        if (db == DatabaseKind.Postgres && options.MasterKey is null)
        {
            errors.Add("SenderAuth:MasterKey (SENDERAUTH_MASTER_KEY) is required with Database=postgres: every instance sharing the database must seal and open keys with the same master key");
        }
        if (options.MasterKey is { } mk && !IsKey(mk))
        {
            errors.Add("SenderAuth:MasterKey (SENDERAUTH_MASTER_KEY) must be base64 of exactly 32 bytes (e.g. `openssl rand -base64 32`)");
        }
        if (options.OperatorKey is { Length: < 24 })
        {
            errors.Add("SenderAuth:OperatorKey (SENDERAUTH_OPERATOR_KEY) is too short: use at least 24 random characters");
        }
        // The resolver's addresses are checked by its section's validator (Publishing/ResolverOptionsValidator); numeric
        // ranges (Resolver:TimeoutSeconds, Limits:*) are [Range] attributes, checked by OptionRangeValidator.
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    internal static bool TryEndpoint(string text, int defaultPort, out IPEndPoint endpoint)
    {
        try
        {
            endpoint = NetworkDnsResolverOptions.ParseEndpoint(text, defaultPort);
            return true;
        }
        catch (FormatException)
        {
            endpoint = new IPEndPoint(IPAddress.None, 0);
            return false;
        }
    }

    /// <summary>A listening address: like a server address, but port 0 (pick a free one) is allowed.</summary>
    internal static bool TryListen(string text, out IPEndPoint endpoint)
    {
        var anyPort = text.EndsWith(":0", StringComparison.Ordinal);
        if (!TryEndpoint(anyPort ? text[..^2] : text, 53, out endpoint))
        {
            return false;
        }
        if (anyPort)
        {
            endpoint = new IPEndPoint(endpoint.Address, 0);
        }
        return true;
    }

    private static bool IsKey(string text) => IsBase64(text) && Convert.FromBase64String(text).Length == 32;

    internal static bool IsBase64(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }
        var buffer = new byte[text.Length];
        return Convert.TryFromBase64String(text, buffer, out _);
    }
}
