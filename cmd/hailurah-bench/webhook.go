package main

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strconv"
	"time"

	_ "modernc.org/sqlite" // reads the app's SQLite store while it runs

	"github.com/hailurah/hailurah/store"
)

// benchAppSecret signs the bench's webhook deliveries, as Meta signs with
// the app secret.
const benchAppSecret = "bench-app-secret-0123456789"

// delivery is one Cloud API webhook delivery of one text message from its
// own citizen: phone 62813<seq>, message id wamid.bench<run>.<seq>.
func delivery(run string, seq int) []byte {
	phone := fmt.Sprintf("62813%08d", seq)
	text := fmt.Sprintf("HAI LURAH Taman\nSaya warga RT0%d/RW02, got depan rumah nomor %d mampet, air meluap ke jalan kalau hujan.", seq%9+1, seq)
	b, _ := json.Marshal(map[string]any{
		"object": "whatsapp_business_account",
		"entry": []any{map[string]any{"id": "102290129340398", "changes": []any{map[string]any{"field": "messages",
			"value": map[string]any{
				"messaging_product": "whatsapp",
				"metadata":          map[string]any{"display_phone_number": "6281100000000", "phone_number_id": "106540352242922"},
				"contacts":          []any{map[string]any{"profile": map[string]any{"name": "Warga"}, "wa_id": phone}},
				"messages": []any{map[string]any{"from": phone, "id": fmt.Sprintf("wamid.bench%s.%d", run, seq),
					"timestamp": strconv.FormatInt(time.Now().Unix(), 10), "type": "text", "text": map[string]any{"body": text}}},
			}}}}},
	})
	return b
}

// postDelivery posts a signed delivery and returns the status and how
// long the webhook took to answer.
func postDelivery(c *http.Client, base string, body []byte) (int, time.Duration, error) {
	mac := hmac.New(sha256.New, []byte(benchAppSecret))
	mac.Write(body)
	req, err := http.NewRequest(http.MethodPost, base+"/webhook/whatsapp", bytes.NewReader(body))
	if err != nil {
		return 0, 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Hub-Signature-256", "sha256="+hex.EncodeToString(mac.Sum(nil)))
	start := time.Now()
	res, err := c.Do(req)
	took := time.Since(start)
	if err != nil {
		return 0, took, err
	}
	res.Body.Close()
	return res.StatusCode, took, nil
}

// appDB opens the running app's SQLite store read-only.
func appDB(dir string) (*sql.DB, error) {
	path := filepath.Join(dir, "data", store.SQLiteFile)
	return sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(5000)")
}

// countReplies counts AI replies queued in the outbox and tickets triaged.
func countReplies(db *sql.DB) (replies, triaged int, err error) {
	err = db.QueryRow(`SELECT
		(SELECT count(*) FROM outbox WHERE kind = 'reply'),
		(SELECT count(*) FROM tickets WHERE kategori <> '' AND processed_by_model_version <> '')`).Scan(&replies, &triaged)
	return replies, triaged, err
}
