module Msr.Dsl.Tests.Main

open System
open System.IO
open Expecto

/// Every temporary file of the session (tests, the CLI and scripts they start) goes under one folder removed at
/// the end, and the dataset cache under it too (MSR_CACHE): tests never write to ~/.cache/msr or leave files behind.
let private isolated (run: unit -> int) =
    let session = Directory.CreateTempSubdirectory("msr-dsl-tests-").FullName
    Environment.SetEnvironmentVariable("TMPDIR", session)
    Environment.SetEnvironmentVariable("MSR_CACHE", Path.Combine(session, "cache"))
    try run ()
    finally
        try Directory.Delete(session, true) with :? IOException | :? UnauthorizedAccessException -> ()

/// Torch global state (seed, threads) is process-wide, so tests run one at a time.
[<EntryPoint>]
let main argv = isolated (fun () -> runTestsInAssemblyWithCLIArgs [ Sequenced ] argv)
