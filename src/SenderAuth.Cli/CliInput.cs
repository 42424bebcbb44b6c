namespace SenderAuth.Cli;

internal static class CliInput
{
    /// <summary>Largest message read from a file or stdin (25 MiB, the usual SMTP size limit).</summary>
    public const int MaxMessageBytes = 25 * 1024 * 1024;

    public static async Task<byte[]> ReadMessageAsync(FileInfo? file, CancellationToken ct)
    {
        Stream stream;
        if (file is null)
        {
            stream = Console.OpenStandardInput();
        }
        else if (!file.Exists)
        {
            throw new UsageException($"file not found: {file.FullName}");
        }
        else
        {
            stream = file.OpenRead();
        }
        await using (stream.ConfigureAwait(false))
        {
            using var buffer = new MemoryStream();
            var chunk = new byte[81920];
            int n;
            while ((n = await stream.ReadAsync(chunk, ct).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + n > MaxMessageBytes)
                {
                    throw new UsageException($"{file?.FullName ?? "stdin"}: message larger than {MaxMessageBytes / (1024 * 1024)} MiB");
                }
                buffer.Write(chunk, 0, n);
            }
            return buffer.ToArray();
        }
    }
}
