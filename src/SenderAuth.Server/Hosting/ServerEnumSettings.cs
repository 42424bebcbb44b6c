namespace SenderAuth.Server.Hosting;

/// <summary>The enum settings <c>serve</c> reads: every one under <see cref="ServerOptions"/>, and the log format.</summary>
public static class ServerEnumSettings
{
    public static EnumSettings Check(IConfiguration configuration) =>
        EnumSettings.Check(configuration, typeof(ServerOptions), ServerOptions.Section, [(typeof(LogFormat), LogFormats.Key)]);
}
