namespace SenderAuth.Server.Hosting;

/// <summary>
/// The console log format, <c>Logging:Format</c> (outside <see cref="ServerOptions"/>: it is read before the services
/// are built): <c>text</c> (the default) or <c>json</c>, in any case; another word is a start-up problem
/// (<see cref="EnumSettings"/>).
/// </summary>
public enum LogFormat
{
    /// <summary>ASP.NET's console format.</summary>
    Text,
    /// <summary>One JSON object per line (ASP.NET's JSON console formatter).</summary>
    Json,
}

/// <summary>Where the format is set and how it is read.</summary>
public static class LogFormats
{
    /// <summary>The configuration key.</summary>
    public const string Key = "Logging:Format";

    /// <summary>The format configured; <see cref="LogFormat.Text"/> when unset or not a format (then a start-up problem).</summary>
    public static LogFormat From(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return Enum.TryParse<LogFormat>(configuration[Key]?.Trim(), ignoreCase: true, out var format) && Enum.IsDefined(format) ? format : LogFormat.Text;
    }
}
