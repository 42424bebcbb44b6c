using BenchmarkDotNet.Attributes;
using SenderAuth.Reports;

namespace SenderAuth.Bench;

/// <summary>
/// Parses and summarizes a generated ~100 MB aggregate report (written at setup, deleted after; never committed).
/// MB/s = <see cref="SizeBytes"/> / mean; bench/run's report-parse row prints it directly.
/// </summary>
[MemoryDiagnoser]
public class ReportParseBenchmark
{
    private string _path = "";
    private readonly DmarcReportParser _parser = new();

    public long SizeBytes { get; private set; }

    [GlobalSetup]
    public void Setup()
    {
        _path = Path.Combine(Path.GetTempPath(), $"sa-report-bench-{Environment.ProcessId}.xml");
        SizeBytes = ReportGenerator.Write(_path, 100L * 1000 * 1000);
        Console.WriteLine($"// report: {SizeBytes:N0} bytes");
    }

    [GlobalCleanup]
    public void Cleanup() => File.Delete(_path);

    [Benchmark]
    public async Task<long> Summarize100MB()
    {
        var summaries = await _parser.SummarizeFileAsync(_path).ConfigureAwait(false);
        return summaries[0].Messages;
    }
}
