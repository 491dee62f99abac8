// Median, quartile and minimum wall time of whole training steps (gather, forward, loss, backward, Adam step, loss
// read) per model on the MovieLens-1M twin of experiments/profile-training.fsx: the quick A/B for a speed change,
// steadier than epoch times on a shared machine (docs/performance.md). Prints how OpenMP waits in this process.
//
//   ./run.sh                      (or: dotnet build dsl/Msr.Cli -c Release)
//   dotnet fsi experiments/step-times.fsx -- SharedBottom,STAR [steps=40] [threads=2]
#I "../dsl/Msr.Cli/bin/Release/net10.0"
#r "TorchSharp.dll"
#r "Msr.Core.dll"

open System
open System.Diagnostics
open TorchSharp
open Msr.Core
open Msr.Core.Data
open Msr.Core.Data.MovieLens
open Msr.Core.Experiments
open Msr.Core.Models
open Msr.Core.Training

let args = fsi.CommandLineArgs |> Array.skip 1
let models = (args |> Array.tryItem 0 |> Option.defaultValue "SharedBottom").Split(',')
let steps = args |> Array.tryItem 1 |> Option.map int |> Option.defaultValue 40
Msr.Core.Native.TorchRuntime.SetThreadsOnce(args |> Array.tryItem 2 |> Option.map int |> Option.defaultValue 2)
printfn "%d threads; %s" Msr.Core.Native.TorchRuntime.Threads Msr.Core.Native.TorchRuntime.OpenMpWaitingChoice

let rows = 1_000_000
let folder = IO.Path.Combine(IO.Path.GetTempPath(), $"msr-profile-{rows}")
if not (IO.File.Exists(IO.Path.Combine(folder, "ratings.dat"))) then MovieLensFileWriter.Write(folder, int64 rows, 1)
let data = LoadedDataset.Load("movielens", folder, readOnlyDict [], null)
let split = DatasetSplit.Random(data.Data.Count, 2022L)
let warmUp = 5

for name in models do
    torch.manual_seed 2022L |> ignore
    use model = ModelRegistry.Create(name, ModelContext(data.Data.Schema, "movielens"), Settings())
    model.train()
    use optimizer = torch.optim.Adam(model.parameters(), 1e-3, weight_decay = 1e-5)
    use shuffle = new torch.Generator(1UL)
    let times = Collections.Generic.List<float>()
    for slice in BatchPlan.Slices(split.Train, 4096, shuffle, true) |> Seq.truncate (steps + warmUp) do
        use indices = slice
        use scope = torch.NewDisposeScope()
        let clock = Stopwatch.StartNew()
        let batch = data.Data.Gather indices
        let loss = torch.nn.functional.binary_cross_entropy(model.forward batch, batch.Label)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step() |> ignore
        loss.item<float32>() |> ignore
        times.Add clock.Elapsed.TotalMilliseconds
    let sorted = times |> Seq.skip warmUp |> Seq.sort |> Array.ofSeq
    printfn "%-12s median %6.1f ms  p25 %6.1f  min %6.1f  (%d steps of 4,096 rows)" name sorted.[sorted.Length / 2] sorted.[sorted.Length / 4] sorted.[0] sorted.Length
