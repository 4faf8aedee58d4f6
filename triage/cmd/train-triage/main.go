// Command train-triage trains the triage's model (kategori, urgency and
// danger) on the labeled corpus and writes model.gz (make train-triage). The
// same corpus always gives the same file.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/hailurah/hailurah/triage"
)

func main() {
	data := flag.String("data", "triage/testdata/train.jsonl,triage/testdata/train4.jsonl", "labeled corpus files, comma-separated, one JSON message a line")
	out := flag.String("out", "triage/model.gz", "where to write the model")
	flag.Parse()
	if err := run(*data, *out); err != nil {
		fmt.Fprintln(os.Stderr, "train-triage:", err)
		os.Exit(1)
	}
}

func run(data, out string) error {
	var samples []triage.LabeledMessage
	for _, path := range strings.Split(data, ",") {
		s, err := readCorpus(path)
		if err != nil {
			return err
		}
		samples = append(samples, s...)
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
	fmt.Printf("%s: %s, %d bytes\n%s\n", out, m.Version, len(b), m.Trained)
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
