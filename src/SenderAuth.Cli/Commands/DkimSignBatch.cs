using System.Buffers;
using System.Collections.Concurrent;
using Microsoft.Win32.SafeHandles;
using SenderAuth.Dkim;

namespace SenderAuth.Cli.Commands;

/// <summary>
/// <c>dkim sign --out-dir</c> over many files in one process, as a three-stage pipeline: a reader thread reads the
/// next files ahead, the calling thread only signs, a writer thread writes each result to a temporary file and
/// renames it over the target. The RSA operation is the physical limit of one signing thread; everything else
/// (reads, and above all creating the output files, which costs ext4 as much as a third of a signature: see
/// docs/benchmarks.md, "Batch signer") runs beside it on the other core instead of between two signatures.
/// </summary>
/// <remarks>
/// Durability: each file appears whole or not at all (written under <c>NAME.tmp</c>, then renamed), so a reader of
/// the directory never sees half a message; without <c>--fsync</c> nothing is flushed to disk, and after a power
/// loss a renamed file may be empty or missing (the page cache is the only copy until the kernel writes it back).
/// With <c>--fsync</c> each file's data reach the disk before its rename. Queues are bounded by count
/// (<see cref="Depth"/> messages), so memory is bounded by that many messages whatever the number of files.
/// A file that cannot be read or written is reported by name and the batch goes on.
/// </remarks>
internal sealed class DkimSignBatch(DkimSigner signer, string outDir, bool fsync)
{
    // Messages pass between the threads in chunks: handing over one message at a time cost a wake-up per message,
    // and the waiting side's spin (SemaphoreSlim spins before it sleeps) took CPU from the signer on two cores.
    private const int Chunk = 16;

    // Chunks per queue: deep enough to ride out a slow file create or a descheduled I/O thread, small enough that
    // memory stays a few dozen messages.
    private const int Depth = 4;

    /// <summary>A message read (its bytes in a pooled buffer), or why it could not be read.</summary>
    private sealed record Item(FileInfo File, byte[]? Buffer, int Length, string? Error)
    {
        public byte[]? Fields { get; set; }
    }

    public int Refused { get; private set; }

    public int Unreadable { get; private set; }

    /// <summary>Files signed but not written (a full disk, a name the directory refuses).</summary>
    public int Unwritable { get; private set; }

    public int Signed { get; private set; }

    public void Run(IReadOnlyList<FileInfo> inputs, CancellationToken ct)
    {
        using var read = new BlockingCollection<List<Item>>(Depth);
        using var signed = new BlockingCollection<List<Item>>(Depth);
        // Stops the reader when the signer leaves early (cancelled, or an unexpected exception), so it cannot stay
        // blocked on a full queue nobody takes from.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        // Dedicated threads, not the thread pool: each stage blocks on its queue and on synchronous file calls.
        var reader = StartThread("sign-read", () => ReadAll(inputs, read, stop.Token));
        var writer = StartThread("sign-write", () => WriteAll(signed));
        try
        {
            foreach (var chunk in read.GetConsumingEnumerable(ct))
            {
                foreach (var item in chunk)
                {
                    Sign(item);
                }
                signed.Add(chunk, ct);
            }
        }
        finally
        {
            stop.Cancel();
            signed.CompleteAdding();
            writer.Join();
            reader.Join();
        }
        ct.ThrowIfCancellationRequested();
    }

    private static Thread StartThread(string name, Action body)
    {
        var thread = new Thread(() => body()) { Name = name, IsBackground = true };
        thread.Start();
        return thread;
    }

    /// <summary>Sets the item's signature fields, or reports why it has none (the writer skips it).</summary>
    private void Sign(Item item)
    {
        if (item.Error is not null)
        {
            Unreadable++;
            CliOutput.Error($"{item.File.Name}: not read: {item.Error}");
            return;
        }
        try
        {
            item.Fields = signer.SignatureFields(item.Buffer.AsMemory(0, item.Length));
        }
        catch (DkimSignException e)
        {
            Refused++;
            CliOutput.Error($"{item.File.Name}: not signed ({e.Refusal.Code()}): {e.Message}");
        }
    }

    private static void ReadAll(IReadOnlyList<FileInfo> inputs, BlockingCollection<List<Item>> read, CancellationToken ct)
    {
        try
        {
            foreach (var files in inputs.Chunk(Chunk))
            {
                if (ct.IsCancellationRequested)
                {
                    break;
                }
                read.Add(files.Select(Read).ToList(), ct);
            }
        }
        catch (OperationCanceledException)
        {
            // The signer stops on the same token and reports it.
        }
        finally
        {
            read.CompleteAdding();
        }
    }

    private static Item Read(FileInfo file)
    {
        try
        {
            using var handle = File.OpenHandle(file.FullName, FileMode.Open, FileAccess.Read, FileShare.Read);
            var length = RandomAccess.GetLength(handle);
            if (length > Array.MaxLength)
            {
                return new Item(file, null, 0, $"{length} bytes is larger than a message can be");
            }
            var buffer = ArrayPool<byte>.Shared.Rent((int)length);
            var total = 0;
            // The length can change under us (a file still being written): read what is there now, up to the size
            // we saw, and stop at its end.
            while (total < length && RandomAccess.Read(handle, buffer.AsSpan(total, (int)length - total), total) is > 0 and var n)
            {
                total += n;
            }
            return new Item(file, buffer, total, null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new Item(file, null, 0, e.Message);
        }
    }

    private void WriteAll(BlockingCollection<List<Item>> signed)
    {
        var written = 0;
        foreach (var item in signed.GetConsumingEnumerable().SelectMany(chunk => chunk))
        {
            try
            {
                if (item.Fields is not null)
                {
                    Write(item);
                    written++;
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Unwritable++;
                CliOutput.Error($"{item.File.Name}: not written: {e.Message}");
            }
            finally
            {
                if (item.Buffer is not null)
                {
                    ArrayPool<byte>.Shared.Return(item.Buffer);
                }
            }
        }
        Signed = written;
    }

    private void Write(Item item)
    {
        var target = Path.Combine(outDir, item.File.Name);
        var temp = target + ".tmp";
        using (var handle = File.OpenHandle(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            // One gathered write: the signature fields, then the message as read (no copy into a new array).
            RandomAccess.Write(handle, [item.Fields!, item.Buffer.AsMemory(0, item.Length)], 0);
            if (fsync)
            {
                RandomAccess.FlushToDisk(handle);
            }
        }
        try
        {
            File.Move(temp, target, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Leave no half-done work behind: the signed copy is not where it was asked for, so it is not kept.
            File.Delete(temp);
            throw;
        }
    }
}
