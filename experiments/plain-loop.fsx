// The floor Msr's trainer is measured against: a plain TorchSharp loop with no Msr code, on random tensors of the
// MovieLens-1M shape (6 id features + 1 dense input, 16-wide embeddings in one table, SharedBottom's MLP [128] and
// three towers [8] with BatchNorm, where-merge, BCE, Adam with coupled L2). Options switch single ingredients off to
// show what each costs (docs/performance.md, "The floor").
//
//   ./run.sh                      (or: dotnet build dsl/Msr.Cli -c Release)
//   dotnet fsi experiments/plain-loop.fsx [-- --rows 800000] [--threads 2] [--epochs 3] [--batch 4096]
//                                         [--no-batchnorm] [--no-weight-decay] [--no-towers]
#I "../dsl/Msr.Cli/bin/Release/net10.0"
#r "TorchSharp.dll"
#r "Msr.Core.dll"

#load "ScriptArgs.fsx"

open System
open System.Diagnostics
open TorchSharp
open ScriptArgs

let rows = number "--rows" 800_000 all
let batchSize = number "--batch" 4096 all
let epochs = number "--epochs" 3 all
let batchNorm = not (has "--no-batchnorm" all)
let weightDecay = if has "--no-weight-decay" all then 0.0 else 1e-5
let towers = if has "--no-towers" all then 1 else 3
// Msr.Core's runtime set-up (native library fix, one thread setting per process, passive OpenMP waiting).
Msr.Core.Native.TorchRuntime.SetThreadsOnce(number "--threads" 2 all)

let vocab = [| 6040L; 3706L; 2L; 21L; 3439L; 18L |]
let offsets = vocab |> Array.scan (+) 0L |> Array.take vocab.Length
torch.manual_seed 1L |> ignore
let ids = torch.stack(vocab |> Array.mapi (fun i v -> torch.randint(v, [| int64 rows |], dtype = torch.ScalarType.Int64) + offsets.[i]), 1L)
let dense = torch.rand(int64 rows, 1L)
let scenario = torch.randint(3L, [| int64 rows |], dtype = torch.ScalarType.Int64)
let label = torch.randint(2L, [| int64 rows |]).to_type(torch.ScalarType.Float32)

let table = torch.nn.Parameter(torch.randn(Array.sum vocab, 16L) * 1e-4f)
type Layer = torch.nn.Module<torch.Tensor, torch.Tensor>
let block (inputDim: int64) (outputDim: int64) = torch.nn.Sequential(
    [| yield ("linear", torch.nn.Linear(inputDim, outputDim) :> Layer)
       if batchNorm then yield ("bn", torch.nn.BatchNorm1d(outputDim) :> Layer)
       yield ("relu", torch.nn.ReLU() :> Layer) |])
let bottom = block 97L 128L
let towerList = [ for _ in 1 .. towers -> torch.nn.Sequential(("hidden", block 128L 8L :> Layer), ("output", torch.nn.Linear(8L, 1L) :> Layer)) ]
let parameters: Modules.Parameter list = [ yield table; yield! bottom.parameters(); for t in towerList do yield! t.parameters() ]
let optimizer = torch.optim.Adam(parameters, 1e-3, weight_decay = weightDecay)

let forward (batchIds: torch.Tensor) (batchDense: torch.Tensor) (batchScenario: torch.Tensor) =
    let embedded = table.index_select(0, batchIds.reshape(-1L)).reshape(batchIds.shape.[0], -1L)
    let shared = bottom.forward(torch.cat([| embedded; batchDense |], 1L))
    let mutable merged = torch.zeros(batchIds.shape.[0], 1L)
    towerList |> List.iteri (fun s tower ->
        merged <- torch.where(batchScenario.unsqueeze(1).eq(torch.tensor(int64 s)), torch.sigmoid(tower.forward shared), merged))
    merged.squeeze(1)

let generator = new torch.Generator(7UL)
for epoch in 1 .. epochs do
    bottom.train(); towerList |> List.iter (fun t -> t.train())
    let clock = Stopwatch.StartNew()
    let order = torch.randperm(int64 rows, generator = generator)
    let mutable lossSum = 0.0
    for start in 0L .. int64 batchSize .. int64 rows - 1L do
        use scope = torch.NewDisposeScope()
        let index = order.narrow(0, start, min (int64 batchSize) (int64 rows - start))
        let p = forward (ids.index_select(0, index)) (dense.index_select(0, index)) (scenario.index_select(0, index))
        let loss = torch.nn.functional.binary_cross_entropy(p, label.index_select(0, index))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step() |> ignore
        lossSum <- lossSum + float (loss.item<float32>())
    let seconds = clock.Elapsed.TotalSeconds
    printfn "plain loop epoch %d: %.2f s, %.0f samples/s (batchnorm %b, weight decay %g, towers %d, %d threads)"
        epoch seconds (float rows / seconds) batchNorm weightDecay towers Msr.Core.Native.TorchRuntime.Threads

bottom.eval(); towerList |> List.iter (fun t -> t.eval())
let inferClock = Stopwatch.StartNew()
let batches = 50
using (torch.no_grad()) (fun _ ->
    for b in 1 .. batches do
        use scope = torch.NewDisposeScope()
        let index = torch.arange(int64 ((b * batchSize) % (rows - batchSize)), int64 ((b * batchSize) % (rows - batchSize) + batchSize), dtype = torch.ScalarType.Int64)
        forward (ids.index_select(0, index)) (dense.index_select(0, index)) (scenario.index_select(0, index)) |> ignore)
printfn "plain loop inference: %.2f ms per %d-row batch" (inferClock.Elapsed.TotalMilliseconds / float batches) batchSize
