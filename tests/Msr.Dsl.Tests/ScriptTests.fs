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

[<Tests>]
let scripts =
    // The scripts reference the Release build of the CLI, which ./test.sh builds first.
    let built = File.Exists(Path.Combine(root, "dsl", "Msr.Cli", "bin", "Release", "net10.0", "Msr.Dsl.dll"))
    testList "experiment scripts" [
        (if built then test else ptest) "table3.fsx runs the paper protocol end to end on MovieLens-format files" {
            let data = Path.Combine(Path.GetTempPath(), "msr-script-" + Guid.NewGuid().ToString("N"))
            Msr.Core.Data.MovieLens.MovieLensFileWriter.Write(data, 1200L, 3, 150, 90)
            let results = Path.Combine(data, "results")
            try
                let code, output = fsi "experiments/table3.fsx" [ "movielens"; data; "--seeds"; "2"; "--epochs"; "1"; "--results"; results ]
                Expect.equal code 0 output
                for model in [ "SharedBottom"; "MMoE"; "PLE"; "STAR" ] do Expect.stringContains output ("| " + model + " |") "a row per model"
                Expect.stringContains output "Welch t-test" "the caption names the test"
                Expect.stringContains output "Efficiency" "the efficiency table"
                Expect.equal (Directory.GetFiles(results, "*.json").Length) 8 "4 models × 2 seeds recorded"
            finally
                Directory.Delete(data, true)
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
