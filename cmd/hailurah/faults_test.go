//go:build faults

package main

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/store"
	"github.com/hailurah/hailurah/whatsapp"
)

// TestCrashRecovery runs `hailurah dev` as a real process, sends 500
// WhatsApp deliveries (some duplicated) at a steady rate, kills the process
// with SIGKILL three times and restarts it on the same data dir. Like Meta,
// the sender retries every delivery until it is acknowledged. At the end:
// every acknowledged message has exactly one ticket, every ticket was
// triaged and breached its short moderator SLA, and every ACK and AI reply
// is in the outbox exactly once.
//
// Run it with `make test-faults`.
func TestCrashRecovery(t *testing.T) {
	const (
		messages = 500
		rate     = 25 // deliveries per second
		kills    = 3
	)
	dir := t.TempDir()
	bin := filepath.Join(dir, "hailurah")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		t.Fatalf("build: %v", err)
	}
	rules := filepath.Join(dir, "rules.yaml")
	if err := os.WriteFile(rules, []byte("sla:\n  moderator: {default: 20s, by_urgency: {5: 20s}}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	data := filepath.Join(dir, "data")
	p := &process{bin: bin, env: append(os.Environ(),
		"HAILURAH_DATA_DIR="+data, "HAILURAH_ADDR="+addr, "HAILURAH_DEV_TEMPORAL_ADDR=127.0.0.1:0",
		"HAILURAH_RULES="+rules, "HAILURAH_DEMO_PASSWORD=demo-sandi-123", "HAILURAH_LOG_LEVEL=warn",
		"WHATSAPP_APP_SECRET=", "WHATSAPP_TOKEN="), log: filepath.Join(dir, "hailurah.log"), base: "http://" + addr}
	if err := p.start(); err != nil {
		t.Fatal(err)
	}
	defer p.stop()

	// The deliveries: one citizen per message, every tenth delivered twice.
	type delivery struct {
		id, phone string
		body      []byte
	}
	var plan []delivery
	for i := 0; i < messages; i++ {
		phone := fmt.Sprintf("628123%06d", i)
		id := fmt.Sprintf("wamid.crash%04d", i)
		d := delivery{id: id, phone: phone, body: metaText(id, phone, fmt.Sprintf(
			"HAI LURAH Taman\nSaya warga RT0%d/RW02, got depan rumah nomor %d mampet, air meluap kalau hujan.", i%9+1, i))}
		plan = append(plan, d)
		if i%10 == 0 {
			plan = append(plan, d)
		}
	}

	var mu sync.Mutex
	acked := map[string]string{} // message id → phone
	attempts, failures := 0, 0
	stopKills := make(chan struct{})
	var killers sync.WaitGroup
	killers.Add(1)
	go func() {
		defer killers.Done()
		// Kill k falls at a random moment around k/(kills+1) of the
		// sending window, so every kill comes while deliveries flow: the
		// sender cannot finish before the window ends.
		window := time.Duration(len(plan)) * time.Second / rate
		slot := window / time.Duration(kills+1)
		start := time.Now()
		for k := 0; k < kills; k++ {
			at := slot*time.Duration(k+1) + time.Duration(rand.Int64N(int64(slot/2))) - slot/4
			select {
			case <-time.After(time.Until(start.Add(at))):
			case <-stopKills:
				return
			}
			p.kill()
			time.Sleep(500 * time.Millisecond)
			if err := p.start(); err != nil {
				t.Errorf("restart %d: %v", k+1, err)
				return
			}
		}
	}()
	tick := time.NewTicker(time.Second / rate)
	client := &http.Client{Timeout: 10 * time.Second}
	for _, d := range plan {
		<-tick.C
		for {
			mu.Lock()
			attempts++
			mu.Unlock()
			resp, err := client.Post(p.base+"/webhook/whatsapp", "application/json", bytes.NewReader(d.body))
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					mu.Lock()
					acked[d.id] = d.phone
					mu.Unlock()
					break
				}
			}
			mu.Lock()
			failures++
			mu.Unlock()
			time.Sleep(200 * time.Millisecond) // Meta retries too, later
		}
	}
	tick.Stop()
	close(stopKills)
	killers.Wait()
	t.Logf("deliveries sent %d (attempts %d, refused or lost connections %d), distinct messages acknowledged %d, kills %d",
		len(plan), attempts, failures, len(acked), p.kills)
	if p.kills != kills {
		t.Errorf("killed %d times while deliveries flowed, want %d", p.kills, kills)
	}

	// Wait for every ticket to be triaged and its SLA to be breached.
	secret, err := os.ReadFile(filepath.Join(data, "secret"))
	if err != nil {
		t.Fatal(err)
	}
	senders := map[string]string{}
	for id, phone := range acked {
		e164, err := whatsapp.NormalizePhone(phone)
		if err != nil {
			t.Fatal(err)
		}
		senders[whatsapp.SenderID([]byte(strings.TrimSpace(string(secret))), e164)] = id
	}
	admin := staffClient(t, p.base, "admin")
	deadline := time.Now().Add(4 * time.Minute)
	var tickets []map[string]any
	for {
		tickets = tickets[:0]
		cursor := ""
		for {
			var page struct {
				Items      []map[string]any `json:"items"`
				NextCursor string           `json:"next_cursor"`
			}
			admin.call("GET", "/api/v1/tickets?limit=200&cursor="+cursor, nil, &page)
			tickets = append(tickets, page.Items...)
			if page.NextCursor == "" {
				break
			}
			cursor = page.NextCursor
		}
		done := len(tickets) >= len(acked)
		for _, tk := range tickets {
			if tk["status"] != string(hailurah.StatusOpen) || tk["moderator_breached"] != true {
				done = false
			}
		}
		if done || time.Now().After(deadline) {
			break
		}
		time.Sleep(2 * time.Second)
	}
	p.stop()

	db, err := store.Open(context.Background(), "", data, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	perSender := map[string]int{}
	triaged, breached := 0, 0
	acks, replies, dupes := 0, 0, 0
	for _, tk := range tickets {
		full, err := db.FindTicket(context.Background(), tk["id"].(string))
		if err != nil {
			t.Fatal(err)
		}
		perSender[full.SenderID]++
		if full.ModelVersion != "" && full.Kategori != "" {
			triaged++
		}
		if full.ModeratorBreached {
			breached++
		}
		out, err := db.ListTicketOutbox(context.Background(), full.ID)
		if err != nil {
			t.Fatal(err)
		}
		kinds := map[string]int{}
		for _, o := range out {
			kinds[o.Kind]++
		}
		acks += kinds[hailurah.OutboxAck]
		replies += kinds[hailurah.OutboxReply]
		if kinds[hailurah.OutboxAck] != 1 || kinds[hailurah.OutboxReply] != 1 {
			dupes++
			t.Errorf("ticket %s: %d ACK and %d replies in the outbox, want 1 each", full.ID, kinds[hailurah.OutboxAck], kinds[hailurah.OutboxReply])
		}
	}
	missing := 0
	for sender, id := range senders {
		switch n := perSender[sender]; {
		case n == 0:
			missing++
			t.Errorf("acknowledged message %s has no ticket", id)
		case n > 1:
			t.Errorf("message %s made %d tickets", id, n)
		}
	}
	if len(tickets) != len(acked) {
		t.Errorf("%d tickets for %d acknowledged messages", len(tickets), len(acked))
	}
	if triaged != len(tickets) || breached != len(tickets) {
		t.Errorf("triaged %d, breached %d of %d tickets", triaged, breached, len(tickets))
	}
	fmt.Printf("crash test: %d deliveries (%d duplicates), %d kill -9, %d acknowledged, %d tickets, %d missing, %d triaged, %d SLA breaches fired, %d ACKs, %d AI replies, %d tickets with a duplicate or missing message\n",
		len(plan), len(plan)-messages, p.kills, len(acked), len(tickets), missing, triaged, breached, acks, replies, dupes)
}

// metaText is a Cloud API webhook delivery of one text message.
func metaText(id, from, text string) []byte { return metaTextNamed(id, from, "Warga", text) }

// freeAddr picks a free port below Linux's ephemeral range (32768 and
// up): the program keeps it across kills and restarts, and a port from
// the ephemeral range could be taken meanwhile by an outgoing connection
// or by the restarted program's own Temporal server, which picks its
// ports with :0 before the web server listens.
func freeAddr(t *testing.T) string {
	t.Helper()
	for range 100 {
		addr := fmt.Sprintf("127.0.0.1:%d", 20000+rand.IntN(12000))
		ln, err := net.Listen("tcp", addr)
		if err == nil {
			ln.Close()
			return addr
		}
	}
	t.Fatal("no free port between 20000 and 32000")
	return ""
}

// process is `hailurah dev` as a child process.
type process struct {
	bin   string
	env   []string
	log   string
	base  string
	cmd   *exec.Cmd
	kills int
}

// start runs the process and waits for /readyz. It returns an error
// rather than failing the test, because the killer goroutine calls it.
func (p *process) start() error {
	f, err := os.OpenFile(p.log, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	p.cmd = exec.Command(p.bin, "dev", "--no-ui")
	p.cmd.Env = p.env
	p.cmd.Stdout, p.cmd.Stderr = f, f
	if err := p.cmd.Start(); err != nil {
		return err
	}
	deadline := time.Now().Add(2 * time.Minute)
	for {
		resp, err := http.Get(p.base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("hailurah dev not ready after 2 minutes; see %s", p.log)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (p *process) kill() {
	if p.cmd != nil && p.cmd.Process != nil {
		_ = p.cmd.Process.Kill()
		_, _ = p.cmd.Process.Wait()
		p.kills++
		p.cmd = nil
	}
}

func (p *process) stop() {
	if p.cmd != nil && p.cmd.Process != nil {
		_ = p.cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _, _ = p.cmd.Process.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			_ = p.cmd.Process.Kill()
		}
		p.cmd = nil
	}
}
