// The main job: a small multi-scenario benchmark on the embedded synthetic data.
// Run it with ./run.sh (builds Msr, then runs this script with dotnet fsi).
// Pass --fresh to discard earlier results; otherwise finished runs are reused (the grid resumes).
#I "dsl/Msr.Cli/bin/Release/net10.0"
#r "TorchSharp.dll"
#r "Msr.Core.dll"
#r "Msr.Dsl.dll"

open Msr.Dsl

let resultsFolder = "results/main"
if fsi.CommandLineArgs |> Array.contains "--fresh" && System.IO.Directory.Exists resultsFolder then
    System.IO.Directory.Delete(resultsFolder, true)

let study =
    experiment "Scenario-aware models on synthetic multi-scenario data" {
        dataset (Dataset.synthetic |> Dataset.with' "rows" 60000 |> Dataset.with' "scenarios" 3)
        compare [ "BaseDNN"; "SharedBottom"; "MMoE"; "STAR" ]
        seeds [ 1 .. 3 ]
        epochs 5
        batchSize 1024
        resultsIn resultsFolder
    }

let result = Grid.orExit (fun () -> Execution.run study)
printfn "\n%s\n" (Tables.summaryWithEfficiency result.Records)
printfn "%d runs trained, %d resumed from %s, %d failed" result.Trained result.Resumed result.Folder result.Failed
