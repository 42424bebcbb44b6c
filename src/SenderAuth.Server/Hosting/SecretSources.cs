namespace SenderAuth.Server.Hosting;

/// <summary>
/// Where the two secrets come from: the environment (<c>SENDERAUTH_OPERATOR_KEY</c>, <c>SENDERAUTH_MASTER_KEY</c>)
/// or, under systemd's <c>LoadCredential=</c> (deploy/systemd/senderauth.service), the files <c>operator-key</c> and
/// <c>master-key</c> in <c>$CREDENTIALS_DIRECTORY</c>. Credentials keep the secrets out of the environment, which
/// <c>/proc/PID/environ</c>, <c>systemctl show</c> and crash reports can show; systemd mounts them readable by the
/// service alone.
/// </summary>
/// <remarks>
/// A variable that is set wins over a credential file (an operator overriding the unit on purpose). Trailing
/// whitespace is trimmed, as <c>echo KEY &gt; file</c> adds a newline; neither secret's alphabet has whitespace. A
/// file that exists but cannot be read is an error, never silently an unset key: the master key would then be
/// generated anew and every sealed private key lost to this server.
/// </remarks>
internal static class SecretSources
{
    /// <summary>Configuration paths and their variable and credential names.</summary>
    private static readonly (string Path, string Variable, string Credential)[] Secrets =
    [
        ("SenderAuth:OperatorKey", "SENDERAUTH_OPERATOR_KEY", "operator-key"),
        ("SenderAuth:MasterKey", "SENDERAUTH_MASTER_KEY", "master-key"),
    ];

    /// <summary>The secrets found, as configuration values; <paramref name="environment"/> reads a variable.</summary>
    /// <exception cref="IOException">A credential file exists but cannot be read.</exception>
    public static Dictionary<string, string?> Read(Func<string, string?> environment)
    {
        var values = new Dictionary<string, string?>(StringComparer.Ordinal);
        var credentials = environment("CREDENTIALS_DIRECTORY");
        foreach (var (path, variable, credential) in Secrets)
        {
            if (environment(variable) is { Length: > 0 } value)
            {
                values[path] = value;
            }
            else if (credentials is { Length: > 0 } && FromCredential(Path.Combine(credentials, credential)) is { Length: > 0 } secret)
            {
                values[path] = secret;
            }
        }
        return values;
    }

    private static string? FromCredential(string file)
    {
        if (!Path.Exists(file))
        {
            return null;
        }
        try
        {
            return File.ReadAllText(file).TrimEnd();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"cannot read the credential {file} ($CREDENTIALS_DIRECTORY): {e.Message}", e);
        }
    }
}
