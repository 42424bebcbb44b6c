using SenderAuth.Fuzz;
using SharpFuzz;

// SenderAuth.Fuzz TARGET                 under afl-fuzz (fuzz/run): one input per run, from SharpFuzz's fork server
// SenderAuth.Fuzz TARGET --libfuzzer     under libfuzzer-dotnet instead
// SenderAuth.Fuzz TARGET --replay FILE…  runs files through the contract and says which break it (exit 1)
// SenderAuth.Fuzz --list                 the target names
if (args.Length == 1 && args[0] == "--list")
{
    foreach (var name in FuzzTargets.All.Keys.Order(StringComparer.Ordinal))
    {
        Console.WriteLine(name);
    }
    return 0;
}
if (args.Length == 0 || !FuzzTargets.All.TryGetValue(args[0], out var target))
{
    Console.Error.WriteLine($"usage: SenderAuth.Fuzz TARGET [--libfuzzer | --replay FILE...] | --list; targets: {string.Join(", ", FuzzTargets.All.Keys)}");
    return 2;
}
if (args.Length > 1 && args[1] == "--replay")
{
    var broken = 0;
    foreach (var file in args.Skip(2))
    {
        try
        {
            FuzzContract.Check(target, File.ReadAllBytes(file));
            Console.WriteLine($"ok      {file}");
        }
        catch (FuzzContractException e)
        {
            broken++;
            Console.WriteLine($"BROKEN  {file}: {e.Message}");
        }
    }
    return broken == 0 ? 0 : 1;
}
if (args.Length > 1 && args[1] == "--libfuzzer")
{
    Fuzzer.LibFuzzer.Run(span => FuzzContract.Check(target, span.ToArray()));
    return 0;
}
// In-process fork server: one process serves every input (a .NET process cannot fork). A contract violation is an
// exception, which SharpFuzz reports to afl-fuzz as a crash; a hang is afl-fuzz's own timeout.
Fuzzer.Run(stream =>
{
    using var buffer = new MemoryStream();
    stream.CopyTo(buffer);
    FuzzContract.Check(target, buffer.ToArray());
});
return 0;
