namespace SenderAuth.Cli;

/// <summary>What commands print: JSON in the one contract (<see cref="CliJson"/>), errors as one line.</summary>
internal static class CliOutput
{
    public static void WriteJson<T>(T value) => Console.Out.WriteLine(CliJson.Write(value, indented: true));

    public static void Error(string message) => Console.Error.WriteLine($"senderauth: {message}");
}
