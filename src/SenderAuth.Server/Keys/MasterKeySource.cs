using System.Security.Cryptography;
using Microsoft.Extensions.Logging;

namespace SenderAuth.Server.Keys;

/// <summary>
/// Where the master key comes from: configuration (SENDERAUTH_MASTER_KEY) in any real deployment; for the
/// embedded default a key generated once into the data folder (mode 0600), with a warning, so that
/// `senderauth serve` works with no setup while keys in the database are still never in clear.
/// </summary>
public static partial class MasterKeySource
{
    public static byte[] Load(string? configured, string dataDirectory, ILogger logger)
    {
        if (configured is not null)
        {
            return Convert.FromBase64String(configured);
        }
        var path = Path.Combine(dataDirectory, "master.key");
        if (File.Exists(path))
        {
            var text = File.ReadAllText(path).Trim();
            var key = Convert.FromBase64String(text);
            if (key.Length != 32)
            {
                throw new InvalidOperationException($"{path} does not hold base64 of 32 bytes");
            }
            LogFileKey(logger, path);
            return key;
        }
        var fresh = RandomNumberGenerator.GetBytes(32);
        DataFolder.Prepare(dataDirectory);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        using (var stream = new FileStream(path, options))
        using (var writer = new StreamWriter(stream))
        {
            writer.WriteLine(Convert.ToBase64String(fresh));
        }
        LogGenerated(logger, path);
        return fresh;
    }

    [LoggerMessage(EventId = LogEvents.Keys + 2, Level = LogLevel.Warning, Message = "Master key generated into {Path}: keep it apart from the database in production (SENDERAUTH_MASTER_KEY)")]
    private static partial void LogGenerated(ILogger logger, string path);

    [LoggerMessage(EventId = LogEvents.Keys + 3, Level = LogLevel.Information, Message = "Master key read from {Path} (SENDERAUTH_MASTER_KEY is not set)")]
    private static partial void LogFileKey(ILogger logger, string path);
}
