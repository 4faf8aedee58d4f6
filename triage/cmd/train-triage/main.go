// Command train-triage trains the triage's kategori model on the labeled
// corpus and writes model.json (make train-triage). The same corpus always
// gives the same file.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"

	"github.com/hailurah/hailurah/triage"
)

func main() {
	data := flag.String("data", "triage/testdata/train.jsonl", "labeled corpus, one JSON message a line")
	out := flag.String("out", "triage/model.json", "where to write the model")
	flag.Parse()
	if err := run(*data, *out); err != nil {
		fmt.Fprintln(os.Stderr, "train-triage:", err)
		os.Exit(1)
	}
}

func run(data, out string) error {
	samples, err := readCorpus(data)
	if err != nil {
		return err
	}
	rules, err := triage.LoadRules("")
	if err != nil {
		return err
	}
	m, err := triage.TrainModel(samples, rules)
	if err != nil {
		return err
	}
	b, err := triage.MarshalModel(m)
	if err != nil {
		return err
	}
	if err := os.WriteFile(out, b, 0o644); err != nil {
		return err
	}
	fmt.Printf("%s: %s, %d features\n%s\n", out, m.Version, len(m.Features), m.Trained)
	return nil
}

func readCorpus(path string) ([]triage.LabeledMessage, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []triage.LabeledMessage
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for line := 1; sc.Scan(); line++ {
		var m triage.LabeledMessage
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, line, err)
		}
		out = append(out, m)
	}
	return out, sc.Err()
}
