module Msr.Dsl.Tests.CsvDataTests

open System
open System.Collections.Generic
open System.IO
open Expecto
open Msr.Core
open Msr.Core.Data
open Msr.Dsl

let private problemsOf (declare: unit -> DatasetRef) =
    try
        declare () |> ignore
        []
    with CsvDataError(_, ps) -> ps

let private load (d: DatasetRef) =
    DatasetRegistry.Load(d.Name, Option.toObj d.Path, Settings([ for k, v in d.Options -> KeyValuePair(k, v) ]))

[<Tests>]
let csvData =
    testList "custom csv data" [
        test "a declaration becomes the csv loader's options, in a fixed order" {
            let d =
                csvData "clicks.tsv" {
                    sparse [ "user"; "item" ]
                    dense [ "price" ]
                    bucketed "age" 4
                    clickWhenAbove "rating" 3.5
                    scenarios (Groups("page", [ [ "home"; "feed" ]; [ "search" ] ]))
                    delimiter "tab"
                    quoted false
                    named "clicks"
                }
            Expect.equal d.Name "csv" "loader"
            Expect.equal d.Path (Some "clicks.tsv") "path"
            Expect.equal
                d.Options
                [ "sparse", "user,item"; "dense", "price"; "buckets", "age:4"; "label", "rating"; "label_threshold", "3.5"
                  "scenario", "page:groups=home/feed,search"; "delimiter", "tab"; "quoted", "false"; "name", "clicks" ]
                "options"
        }

        test "every scenario rule has its core text form" {
            let ruleOf rule = (csvData "x.csv" { sparse [ "u" ]; label "y"; scenarios rule }).Options |> List.find (fst >> (=) "scenario") |> snd
            Expect.equal (ruleOf (EachValue "p")) "p" "each value"
            Expect.equal (ruleOf (Largest("p", 3))) "p:top=3" "largest"
            Expect.equal (ruleOf (LargestBySize("p", 3))) "p:top=3:size" "largest by size"
            Expect.equal (ruleOf (KeepValues("p", [ "a"; "b" ]))) "p:values=a,b" "keep"
            Expect.equal (ruleOf (OnlyValues("p", [ "a"; "b" ]))) "p:only=a,b" "only"
        }

        test "an incomplete declaration lists every missing role" {
            let ps = problemsOf (fun () -> csvData "x.csv" { named "x" })
            Expect.hasLength ps 3 (String.concat "; " ps)
            Expect.stringContains ps[0] "no input column" "inputs"
            Expect.stringContains ps[1] "no label column" "label"
            Expect.stringContains ps[2] "no scenario rule" "scenario"
        }

        test "contradictions and values a rule cannot carry are named" {
            let ps =
                problemsOf (fun () ->
                    csvData "x.csv" {
                        sparse [ "u"; "y" ]
                        dense [ "u" ]
                        label "y"
                        scenarios (Groups("p", [ [ "a,b" ]; [ "c" ]; [ "c" ] ]))
                    })
            let all = String.concat "\n" ps
            Expect.stringContains all "column 'u' is declared as an input 2 times" "duplicate input"
            Expect.stringContains all "label column 'y' is also declared as an input" "label as input"
            Expect.stringContains all "value 'a,b' contains ','" "separator inside a value"
            Expect.stringContains all "value 'c' is in 2 groups" "value in two groups"
            Expect.throwsT<CsvDataError> (fun () -> csvData "bad.csv" { label "y" } |> ignore) "raises"
        }

        test "a declared file loads with its scenarios, label rule and inputs" {
            let folder = Path.Combine(Path.GetTempPath(), "msr-csvdata-" + Guid.NewGuid().ToString("N"))
            Directory.CreateDirectory folder |> ignore
            try
                let file = Path.Combine(folder, "clicks.tsv")
                let pages = [| "home"; "search"; "feed" |]
                let rows = [ for i in 0..59 -> sprintf "u%d\ti%d\t%s\t%d.5\t%d" (i % 7) (i % 11) pages[i % 3] i (1 + i % 5) ]
                File.WriteAllLines(file, "user\titem\tpage\tprice\trating" :: rows)
                let d =
                    csvData file {
                        sparse [ "user"; "item" ]
                        dense [ "price" ]
                        clickWhenAbove "rating" 3.0
                        scenarios (KeepValues("page", [ "search"; "home" ]))
                    }
                use data = load d
                Expect.equal (List.ofSeq data.Schema.ScenarioNames) [ "search"; "home" ] "scenarios in declared order"
                Expect.equal data.Count 40L "feed rows dropped"
                Expect.equal data.Name "clicks" "name from the file"
                // rating = 1 + i % 5 > 3 for i % 5 in {3, 4}: 16 of the 40 kept rows (i % 3 ≠ 2).
                let positives = [ for i in 0..59 do if i % 3 <> 2 && i % 5 >= 3 then yield i ] |> List.length
                Expect.equal (data.Label.sum().item<float32>() |> int) positives "threshold label"
                Expect.equal [ for f in data.Schema.SparseFeatures -> f.Name, f.Vocabulary ] [ "user", 7; "item", 11 ] "sparse vocabularies"
            finally
                Directory.Delete(folder, true)
        }
    ]
