using System.Text.Json;
using SenderAuth.Json;

namespace SenderAuth.Cli;

/// <summary>What commands print: JSON in the one contract (<see cref="SenderAuthJson"/>), errors as one line.</summary>
internal static class CliOutput
{
    public static void WriteJson<T>(T value, bool compact = false) =>
        Console.Out.WriteLine(JsonSerializer.Serialize(value, compact ? SenderAuthJson.Options : SenderAuthJson.Indented));

    public static void Error(string message) => Console.Error.WriteLine($"senderauth: {message}");
}
