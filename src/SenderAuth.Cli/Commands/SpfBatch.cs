using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using System.Threading.Channels;
using SenderAuth.Spf;

namespace SenderAuth.Cli.Commands;

/// <summary>
/// Bulk checks: JSON lines in, one JSON result per line out, in input order. Lines go in chunks of
/// <see cref="ChunkLines"/> to the thread pool, up to <see cref="MaxChunks"/> chunks at once: checks on a zone file
/// are CPU work and use every core; on network DNS the <see cref="ChunkLines"/> × <see cref="MaxChunks"/> checks in
/// flight overlap their latency (32, as before).
/// </summary>
/// <remarks>
/// Per line nothing is allocated for the JSON itself: the input is read as UTF-8 bytes from a pooled pipe buffer
/// (<see cref="PipeReader"/>), each request deserialized from those bytes, and each result written with a reused
/// <see cref="Utf8JsonWriter"/> into the chunk's reused buffer, written to stdout as one block per chunk. (Before,
/// a line became a string, its result a JsonNode, and every line one unbuffered write: 4.7x pyspf against 30x for
/// the engine, docs/benchmarks.md.) The bytes written are those of <c>spf --json</c>, compact, with <c>"line"</c>
/// first. Hostile input stays per line: a line over <see cref="MaxLineLength"/> characters is skipped as it
/// streams (never buffered whole), invalid JSON and invalid UTF-8 are reported on their line, and the batch goes
/// on.
/// </remarks>
internal static class SpfBatch
{
    private const int ChunkLines = 8;
    private const int MaxChunks = 4;
    private const int MaxLineLength = 64 * 1024;

    // A line of at most this many bytes has at most MaxLineLength characters; above it the characters are counted.
    private const int SurelyShortBytes = MaxLineLength;

    /// <summary>One line's request (its type name appears in the serializer's messages, kept as it was).</summary>
    internal sealed record Request(string? Ip, string? MailFrom, string? Helo);

    // The contract over the CLI's build-time metadata (CliJson): building the contract's reflection-based options
    // cost the batch 0.25 s of CPU at start, more than checking 10,000 lines (docs/benchmarks.md, "Batch paths").
    // The batch tests hold the output to `spf --json`'s bytes and the refusal of unknown members.
    private static readonly JsonSerializerOptions Options = CliJson.Compact;

    private static readonly System.Text.Json.Serialization.Metadata.JsonTypeInfo<Request> RequestInfo =
        (System.Text.Json.Serialization.Metadata.JsonTypeInfo<Request>)Options.GetTypeInfo(typeof(Request));

    private static readonly System.Text.Json.Serialization.Metadata.JsonTypeInfo<SpfView> ViewInfo =
        (System.Text.Json.Serialization.Metadata.JsonTypeInfo<SpfView>)Options.GetTypeInfo(typeof(SpfView));

    public static async Task<int> RunAsync(SpfEvaluator evaluator, Stream input, Stream output, CancellationToken ct)
    {
        var chunks = Channel.CreateBounded<Task<Chunk>>(new BoundedChannelOptions(MaxChunks) { SingleReader = true, SingleWriter = true });
        var pool = new Stack<Chunk>();
        var writing = WriteAllAsync(chunks.Reader, output, pool, ct);
        try
        {
            await ReadAllAsync(evaluator, input, chunks.Writer, pool, ct).ConfigureAwait(false);
        }
        finally
        {
            chunks.Writer.TryComplete();
        }
        var badLines = await writing.ConfigureAwait(false);
        return badLines == 0 ? ExitCodes.Ok : ExitCodes.Usage;
    }

    /// <summary>Splits the input into lines, fills chunks and starts each on the thread pool.</summary>
    private static async Task ReadAllAsync(SpfEvaluator evaluator, Stream input, ChannelWriter<Task<Chunk>> chunks, Stack<Chunk> pool, CancellationToken ct)
    {
        var reader = PipeReader.Create(input, new StreamPipeReaderOptions(bufferSize: 64 * 1024, leaveOpen: true));
        var lineNumber = 0;
        var chunk = Rent(pool);
        var skipping = false;
        var afterCr = false;
        try
        {
            while (true)
            {
                var read = await reader.ReadAsync(ct).ConfigureAwait(false);
                var buffer = read.Buffer;
                while (NextLine(ref buffer, ref afterCr, out var line))
                {
                    if (skipping)
                    {
                        // The rest of an over-long line: its error was written when it passed the limit.
                        skipping = false;
                        continue;
                    }
                    lineNumber++;
                    chunk.Add(lineNumber, line);
                    if (chunk.Count == ChunkLines)
                    {
                        await DispatchAsync(evaluator, chunk, chunks, ct).ConfigureAwait(false);
                        chunk = Rent(pool);
                    }
                }
                if (!skipping && buffer.Length > SurelyShortBytes * 4)
                {
                    // A line longer than any UTF-8 text of MaxLineLength characters: report it now and drop its
                    // bytes as they arrive instead of holding them.
                    lineNumber++;
                    chunk.AddError(lineNumber, $"line longer than {MaxLineLength} characters");
                    skipping = true;
                }
                if (skipping)
                {
                    buffer = buffer.Slice(buffer.End);
                }
                if (read.IsCompleted)
                {
                    if (!skipping && buffer.Length > 0)
                    {
                        // The last line had no line end.
                        lineNumber++;
                        chunk.Add(lineNumber, buffer);
                    }
                    break;
                }
                reader.AdvanceTo(buffer.Start, buffer.End);
                if (chunk.Count > 0)
                {
                    // Every complete line read so far is in a chunk: start the last, short one now rather than
                    // wait for more input (a caller feeding one line at a time gets its answer; a pipe delivers
                    // up to 64 KB per read, so this makes at most one short chunk per read).
                    await DispatchAsync(evaluator, chunk, chunks, ct).ConfigureAwait(false);
                    chunk = Rent(pool);
                }
            }
            if (chunk.Count > 0)
            {
                await DispatchAsync(evaluator, chunk, chunks, ct).ConfigureAwait(false);
            }
        }
        finally
        {
            await reader.CompleteAsync().ConfigureAwait(false);
        }
    }

    /// <summary>The next line without its end (LF, CRLF or a lone CR, as <see cref="TextReader.ReadLine"/>).</summary>
    private static bool NextLine(ref ReadOnlySequence<byte> buffer, ref bool afterCr, out ReadOnlySequence<byte> line)
    {
        if (afterCr && buffer.Length > 0)
        {
            // A CR ended the previous line; a LF right after it belongs to that line end.
            afterCr = false;
            if (buffer.FirstSpan[0] == (byte)'\n')
            {
                buffer = buffer.Slice(1);
            }
        }
        var scan = new SequenceReader<byte>(buffer);
        if (!scan.TryAdvanceToAny("\r\n"u8, advancePastDelimiter: false) || !scan.TryPeek(out var terminator))
        {
            line = default;
            return false;
        }
        line = buffer.Slice(0, scan.Position);
        buffer = buffer.Slice(buffer.GetPosition(1, scan.Position));
        afterCr = terminator == (byte)'\r';
        return true;
    }

    private static async ValueTask DispatchAsync(SpfEvaluator evaluator, Chunk chunk, ChannelWriter<Task<Chunk>> chunks, CancellationToken ct) =>
        await chunks.WriteAsync(Task.Run(() => chunk.RunAsync(evaluator, ct), ct), ct).ConfigureAwait(false);

    private static Chunk Rent(Stack<Chunk> pool)
    {
        lock (pool)
        {
            return pool.TryPop(out var chunk) ? chunk : new Chunk();
        }
    }

    /// <summary>Writes the chunks' output in input order, flushing whenever no chunk is waiting; returns the bad lines.</summary>
    private static async Task<int> WriteAllAsync(ChannelReader<Task<Chunk>> chunks, Stream output, Stack<Chunk> pool, CancellationToken ct)
    {
        var badLines = 0;
        while (await chunks.WaitToReadAsync(ct).ConfigureAwait(false))
        {
            while (chunks.TryRead(out var next))
            {
                var chunk = await next.ConfigureAwait(false);
                await output.WriteAsync(chunk.Output, ct).ConfigureAwait(false);
                badLines += chunk.BadLines;
                chunk.Clear();
                lock (pool)
                {
                    pool.Push(chunk);
                }
            }
            // A caller feeding lines one by one gets each answer without waiting for the end of the input.
            await output.FlushAsync(ct).ConfigureAwait(false);
        }
        return badLines;
    }

    /// <summary>
    /// Up to <see cref="ChunkLines"/> lines: their bytes, then their output. Reused: its buffers and its JSON writer
    /// keep their capacity from one chunk to the next.
    /// </summary>
    private sealed class Chunk
    {
        private static readonly JsonWriterOptions WriterOptions = new()
        {
            Encoder = Options.Encoder,
            // The input order of properties is ours; the view's JSON is the serializer's, validated there.
            SkipValidation = true,
        };

        private readonly ArrayBufferWriter<byte> input = new(4096);
        private readonly ArrayBufferWriter<byte> output = new(16 * 1024);
        private readonly ArrayBufferWriter<byte> view = new(2048);
        private readonly Utf8JsonWriter outputWriter;
        private readonly Utf8JsonWriter viewWriter;
        private readonly List<(int Line, int Start, int Length, string? Error)> lines = new(ChunkLines);

        public Chunk()
        {
            outputWriter = new Utf8JsonWriter(output, WriterOptions);
            viewWriter = new Utf8JsonWriter(view, WriterOptions);
        }

        public int Count => lines.Count;

        /// <summary>Lines answered with an error (after <see cref="RunAsync"/>).</summary>
        public int BadLines { get; private set; }

        public ReadOnlyMemory<byte> Output => output.WrittenMemory;

        /// <summary>Keeps a line's bytes, or the error of a line too long to keep.</summary>
        public void Add(int lineNumber, ReadOnlySequence<byte> line)
        {
            if (line.Length > SurelyShortBytes && CharCount(line) > MaxLineLength)
            {
                AddError(lineNumber, $"line longer than {MaxLineLength} characters");
                return;
            }
            var start = input.WrittenCount;
            foreach (var segment in line)
            {
                input.Write(segment.Span);
            }
            lines.Add((lineNumber, start, (int)line.Length, null));
        }

        public void AddError(int lineNumber, string error) => lines.Add((lineNumber, 0, 0, error));

        public void Clear()
        {
            input.Clear();
            output.Clear();
            lines.Clear();
            BadLines = 0;
        }

        // Over-long lines are counted in characters, as TextReader.ReadLine's strings were (invalid UTF-8 as one
        // replacement character per bad sequence).
        private static int CharCount(ReadOnlySequence<byte> line) =>
            Encoding.UTF8.GetCharCount(BuffersExtensions.ToArray(line));

        /// <summary>Checks every line (all started before any is awaited, so DNS latency overlaps) and writes the results.</summary>
        public async Task<Chunk> RunAsync(SpfEvaluator evaluator, CancellationToken ct)
        {
            var checks = new ValueTask<SpfOutcome>[lines.Count];
            var started = new bool[lines.Count];
            var errors = new string?[lines.Count];
            for (var i = 0; i < lines.Count; i++)
            {
                var (_, start, length, error) = lines[i];
                if (error is not null)
                {
                    errors[i] = error;
                    continue;
                }
                var bytes = input.WrittenMemory.Slice(start, length);
                if (IsBlank(bytes.Span))
                {
                    continue;
                }
                var (ip, request, problem) = Parse(bytes.Span);
                if (problem is not null)
                {
                    errors[i] = problem;
                    continue;
                }
                checks[i] = evaluator.CheckMailFromAsync(ip!, request!.MailFrom, request.Helo, ct);
                started[i] = true;
            }
            for (var i = 0; i < lines.Count; i++)
            {
                if (errors[i] is { } error)
                {
                    BadLines++;
                    WriteError(lines[i].Line, error);
                }
                else if (started[i])
                {
                    WriteResult(lines[i].Line, await checks[i].ConfigureAwait(false), evaluator.Options.ReceiverName);
                }
            }
            return this;
        }

        /// <summary>A blank line (whitespace only, as <see cref="string.IsNullOrWhiteSpace"/>) is skipped, not numbered out.</summary>
        private static bool IsBlank(ReadOnlySpan<byte> line)
        {
            foreach (var b in line)
            {
                if (b is (byte)' ' or (byte)'\t')
                {
                    continue;
                }
                // Any printable ASCII byte: not blank (every JSON line). Otherwise decide as the string would.
                return b is <= 0x20 or >= 0x80 && string.IsNullOrWhiteSpace(Encoding.UTF8.GetString(line));
            }
            return true;
        }

        private static (IPAddress? Ip, Request? Request, string? Error) Parse(ReadOnlySpan<byte> line)
        {
            if (!Utf8.IsValid(line))
            {
                return (null, null, "not valid UTF-8");
            }
            Request? request;
            try
            {
                request = JsonSerializer.Deserialize(line, RequestInfo);
            }
            catch (JsonException e)
            {
                return (null, null, $"not valid JSON: {e.Message}");
            }
            IPAddress? ip = null;
            if (request?.Ip is null || !IPAddress.TryParse(request.Ip, out ip))
            {
                return (null, null, "\"ip\" missing or not an IP address");
            }
            if (string.IsNullOrEmpty(request.MailFrom) && string.IsNullOrEmpty(request.Helo))
            {
                return (null, null, "\"mailFrom\" or \"helo\" is required");
            }
            return (ip, request, null);
        }

        private void WriteError(int lineNumber, string error)
        {
            outputWriter.Reset(output);
            outputWriter.WriteStartObject();
            outputWriter.WriteNumber("line", lineNumber);
            outputWriter.WriteString("error", error);
            outputWriter.WriteEndObject();
            outputWriter.Flush();
            output.Write("\n"u8);
        }

        /// <summary>The fields of <c>spf --json</c> with the input's line number first, so a result can be traced back.</summary>
        private void WriteResult(int lineNumber, SpfOutcome outcome, string receiver)
        {
            view.Clear();
            viewWriter.Reset(view);
            JsonSerializer.Serialize(viewWriter, SpfView.From(outcome, receiver), ViewInfo);
            viewWriter.Flush();
            outputWriter.Reset(output);
            outputWriter.WriteStartObject();
            outputWriter.WriteNumber("line", lineNumber);
            outputWriter.Flush();
            // The view's object without its opening brace continues the one just started: {"line":N,"result":…}.
            output.Write(","u8);
            output.Write(view.WrittenSpan[1..]);
            output.Write("\n"u8);
        }
    }
}

