module Msr.Dsl.Tests.ScriptTests

open System
open System.Diagnostics
open System.IO
open Expecto

/// The repository root (the folder holding Msr.sln), found upwards from the test assembly.
let private root =
    let rec up (d: DirectoryInfo) = if File.Exists(Path.Combine(d.FullName, "Msr.sln")) then d.FullName else up d.Parent
    up (DirectoryInfo AppContext.BaseDirectory)

/// Runs `dotnet fsi <script> -- args` from the repository root; returns (exit code, output). The dataset cache
/// goes to a temporary folder removed afterwards (MSR_CACHE), never to the user's ~/.cache/msr.
let private fsi (script: string) (args: string list) =
    let info = ProcessStartInfo("dotnet", [ "fsi"; "--quiet"; script; "--"; yield! args ], WorkingDirectory = root,
                                RedirectStandardOutput = true, RedirectStandardError = true)
    let cache = Directory.CreateTempSubdirectory("msr-script-cache-").FullName
    use _removeCache = { new IDisposable with member _.Dispose() = Directory.Delete(cache, true) }
    info.Environment.["MSR_CACHE"] <- cache
    use p = Process.Start info
    let out = p.StandardOutput.ReadToEndAsync()
    let err = p.StandardError.ReadToEnd()
    p.WaitForExit()
    p.ExitCode, out.Result + err

let private tempFolder () =
    let d = Path.Combine(Path.GetTempPath(), "msr-script-" + Guid.NewGuid().ToString("N"))
    Directory.CreateDirectory d |> ignore
    d

[<Tests>]
let scripts =
    // The scripts reference the Release build of the CLI, which ./test.sh builds first.
    let built = File.Exists(Path.Combine(root, "dsl", "Msr.Cli", "bin", "Release", "net10.0", "Msr.Dsl.dll"))
    testList "experiment scripts" [
        (if built then test else ptest) "benchmark-table3.fsx runs every listed model on the given data and the committed sample, naming data it lacks" {
            let data = tempFolder ()
            Msr.Core.Data.MovieLens.MovieLensFileWriter.Write(data, 1200L, 3, 150, 90)
            let results = Path.Combine(data, "results")
            try
                let code, output =
                    fsi "experiments/benchmark-table3.fsx"
                        [ "--only"; "movielens,amazon,sample"; "--movielens"; data; "--models"; "SharedBottom,STAR"; "--seeds"; "2"; "--epochs"; "1"
                          "--results"; results ]
                Expect.equal code 0 output
                Expect.stringContains output "amazon: no data; pass --amazon DIR or set MSR_AMAZON (a folder with reviews_Beauty_5.json" "missing data is named"
                for table in [ "### movielens"; "### sample" ] do Expect.stringContains output table "a table per dataset"
                for model in [ "SharedBottom"; "STAR" ] do Expect.stringContains output ("| " + model + " |") "a row per model"
                Expect.stringContains output "Welch t-test" "the caption names the test"
                Expect.equal (Directory.GetFiles(results, "*.json").Length) 8 "2 datasets × 2 models × 2 seeds recorded"
            finally
                Directory.Delete(data, true)
        }
        (if built then test else ptest) "quickstart.fsx prints a table; an invalid plan is one plain message and exit code 2" {
            let results = Path.Combine(tempFolder (), "results")
            let code, output = fsi "experiments/quickstart.fsx" [ "--rows"; "600"; "--epochs"; "1"; "--seeds"; "2"; "--models"; "SharedBottom,STAR"; "--results"; results ]
            Expect.equal code 0 output
            for model in [ "SharedBottom"; "STAR" ] do Expect.stringContains output ("| " + model + " |") "a row per model"
            let code, output = fsi "experiments/quickstart.fsx" [ "--models"; "Nope"; "--epochs"; "0"; "--results"; results + "-bad" ]
            Expect.equal code 2 output
            Expect.stringContains output "model 'Nope' is unknown; available: BaseDNN" "the model"
            Expect.stringContains output "training: option 'epochs': 0 must be between 1" "and the trainer option, together"
            Expect.isFalse (output.Contains "   at ") "no stack trace"
            Expect.isFalse (Directory.Exists(results + "-bad")) "nothing was written"
        }
        (if built then test else ptest) "efficiency-table4.fsx prints the paper's Table 4 per model" {
            let results = Path.Combine(tempFolder (), "results")
            let code, output = fsi "experiments/efficiency-table4.fsx" [ "--rows"; "600"; "--epochs"; "1"; "--models"; "SharedBottom,STAR"; "--results"; results ]
            Expect.equal code 0 output
            Expect.stringContains output "### Efficiency: synthetic" "the efficiency table"
            Expect.stringContains output "| Model | Train (s/epoch) | Infer (ms/batch) | Params | Runs |" "its columns"
            for model in [ "SharedBottom"; "STAR" ] do Expect.stringContains output ("| " + model + " |") "a row per model"
        }
        (if built then test else ptest) "scenario-number.fsx runs without KuaiRand data and writes its report" {
            let results = Path.Combine(tempFolder (), "results")
            let code, output =
                fsi "experiments/scenario-number.fsx"
                    [ "--scenarios"; "3,4"; "--rows"; "800"; "--epochs"; "1"; "--seeds"; "2"; "--models"; "SharedBottom"; "--results"; results ]
            Expect.equal code 0 output
            Expect.stringContains output "synthetic data with 3, 4 scenarios stands in" "says what stands in"
            Expect.isTrue (File.Exists(Path.Combine(results, "report.html"))) "the HTML report"
            Expect.equal (Directory.GetFiles(results, "*.json").Length) 4 "2 scenario counts × 2 seeds"
        }
        (if built then test else ptest) "custom-csv.fsx declares the committed sample with csvData and compares models" {
            let results = Path.Combine(Path.GetTempPath(), "msr-script-" + Guid.NewGuid().ToString("N"))
            try
                let code, output = fsi "experiments/custom-csv.fsx" [ "--epochs"; "1"; "--results"; results ]
                Expect.equal code 0 output
                for model in [ "BaseDNN"; "SharedBottom"; "STAR" ] do Expect.stringContains output ("| " + model + " |") "a row per model"
                Expect.equal (Directory.GetFiles(results, "*.json").Length) 6 "3 models × 2 seeds recorded"
            finally
                if Directory.Exists results then Directory.Delete(results, true)
        }
    ]
