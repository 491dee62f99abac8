/// `msr predict <record.json>`: the saved model of a finished run, rebuilt from its record, predicting one part of its split.
module Msr.Cli.PredictCommand

open System
open System.Globalization
open System.IO
open System.Text
open Argu
open Msr.Core.Experiments

type PredictArgs =
    | [<MainCommand; ExactlyOnce>] Record of ``record.json``: string
    | Split of part: string
    | [<CustomCommandLine("--path")>] Dataset_Path of path: string
    | [<Mandatory; AltCommandLine("-o")>] Output of file: string
    | Cache of folder: string
    | No_Cache
    | Device of name: string
    interface IArgParserTemplate with
        member a.Usage =
            match a with
            | Record _ -> "a run record written by `msr run` or the DSL (its weights file lies beside it)"
            | Split _ -> "test (default), validation or train: which rows of the run's own split"
            | Dataset_Path _ -> "the dataset's files, where the path in the record (as typed when the run trained) no longer leads to them"
            | Output _ -> "CSV file to write: row, scenario, label, probability"
            | Cache _ -> "folder of the processed-dataset cache (default $MSR_CACHE or ~/.cache/msr/datasets)"
            | No_Cache -> "always parse and encode the raw files"
            | Device _ -> "cpu (default), cuda, cuda:N or auto: where the model predicts, whichever device it trained on"

let private parseSplit (text: string) =
    match text.Trim().ToLowerInvariant() with
    | "test" -> SplitPart.Test
    | "validation" | "valid" | "val" -> SplitPart.Validation
    | "train" -> SplitPart.Train
    | _ -> invalidArg "split" (sprintf "unknown split '%s'; splits: test, validation, train" text)

/// The CSV text: a header, then one line per row; probabilities in round-trip form so a reader gets the exact doubles.
let csv (rows: PredictedRow seq) =
    let text = StringBuilder("row,scenario,label,probability\n")
    let field (s: string) = if s.IndexOfAny([| ','; '"'; '\n' |]) >= 0 then "\"" + s.Replace("\"", "\"\"") + "\"" else s
    for r in rows do
        text.Append(r.Row.ToString(CultureInfo.InvariantCulture)).Append(',').Append(field r.Scenario).Append(',')
            .Append(r.Label.ToString(CultureInfo.InvariantCulture)).Append(',')
            .Append(r.Probability.ToString("R", CultureInfo.InvariantCulture)).Append('\n') |> ignore
    text.ToString()

/// Runs `msr predict`; returns the exit code.
let run (out: TextWriter) (args: ParseResults<PredictArgs>) =
    let part = args.TryGetResult Split |> Option.map parseSplit |> Option.defaultValue SplitPart.Test
    let cache = if args.Contains No_Cache then null else args.GetResult(Cache, defaultValue = LoadedDataset.DefaultCacheDirectory)
    let rows =
        RecordPredictions.Predict(args.GetResult Record, part, cache, args.TryGetResult Dataset_Path |> Option.toObj,
                                  args.GetResult(Device, defaultValue = "cpu"))
    let file = Path.GetFullPath(args.GetResult Output)
    Directory.CreateDirectory(Path.GetDirectoryName file) |> ignore
    let temp = file + ".tmp"
    File.WriteAllText(temp, csv rows)
    File.Move(temp, file, true)
    fprintfn out "wrote %d %s predictions to %s" rows.Count (part.ToString().ToLowerInvariant()) file
    0
