package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestRunPrintsURLAndServes(t *testing.T) {
	dir := t.TempDir()
	app := `<ConnectedApp><contactEmail>a@example.com</contactEmail><label>From Disk</label></ConnectedApp>`
	if err := os.MkdirAll(filepath.Join(dir, "connectedApps"), 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "connectedApps", "From_Disk.connectedApp-meta.xml"), []byte(app), 0o600); err != nil {
		t.Fatal(err)
	}

	stdoutReader, stdoutWriter := io.Pipe()
	var stderr bytes.Buffer
	stop := make(chan os.Signal, 1)
	done := make(chan error, 1)
	go func() {
		done <- run([]string{
			"-load", dir, "-access-token", "tok1", "-access-token", "tok2",
			"-client-id", "cid", "-client-secret", "csecret", "-run-as-username", "runas@example.com",
			"-query-batch-size", "1",
		}, stdoutWriter, &stderr, stop)
		_ = stdoutWriter.Close()
	}()

	lineCh := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(stdoutReader).ReadString('\n')
		lineCh <- line
	}()
	var line string
	select {
	case line = <-lineCh:
	case <-time.After(10 * time.Second):
		t.Fatal("no URL printed within 10s")
	}
	base := strings.TrimSpace(line)
	if !strings.HasPrefix(base, "http://127.0.0.1:") {
		t.Fatalf("first line = %q, want http://127.0.0.1:PORT", line)
	}

	for _, token := range []string{"tok1", "tok2"} {
		req, _ := http.NewRequest(http.MethodGet, base+"/services/data/v63.0/query?q="+url.QueryEscape("SELECT Name FROM ConnectedApplication"), nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var body struct {
			TotalSize int `json:"totalSize"`
		}
		_ = json.NewDecoder(resp.Body).Decode(&body)
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusOK || body.TotalSize != 1 {
			t.Errorf("token %s: HTTP %d, totalSize %d", token, resp.StatusCode, body.TotalSize)
		}
	}
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {"cid"}, "client_secret": {"csecret"}}
	resp, err := http.PostForm(base+"/services/oauth2/token", form)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("client credentials: HTTP %d", resp.StatusCode)
	}

	stop <- syscall.SIGTERM
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run did not stop")
	}
}

func TestRunRejectsBadFlags(t *testing.T) {
	cases := [][]string{
		{"-listen", "0.0.0.0:0"},
		{"-client-secret", "x"},
		{"extra-argument"},
		{"-fault-rate", "1.5"},
		{"-fault-after-commit", "-1"},
		{"-lock-writes", "2"},
		{"-latency", "-1s"},
	}
	for _, args := range cases {
		var stderr bytes.Buffer
		if err := run(args, io.Discard, &stderr, make(chan os.Signal)); err == nil {
			t.Errorf("run %v succeeded", args)
		}
	}
}

func TestRunFaultFlagsReachOrg(t *testing.T) {
	stdoutReader, stdoutWriter := io.Pipe()
	stop := make(chan os.Signal, 1)
	done := make(chan error, 1)
	go func() {
		done <- run([]string{
			"-access-token", "tok", "-fault-rate", "1", "-seed", "42", "-latency", "10ms",
		}, stdoutWriter, io.Discard, stop)
		_ = stdoutWriter.Close()
	}()
	line, err := bufio.NewReader(stdoutReader).ReadString('\n')
	if err != nil {
		t.Fatalf("reading the URL: %v", err)
	}
	base := strings.TrimSpace(line)

	faulted := 0
	for range 10 {
		req, _ := http.NewRequest(http.MethodGet, base+"/services/data/v63.0/query?q="+url.QueryEscape("SELECT Id FROM Profile"), nil)
		req.Header.Set("Authorization", "Bearer tok")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			faulted++
			continue
		}
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			faulted++
		}
	}
	if faulted != 10 {
		t.Errorf("%d of 10 calls failed at -fault-rate 1", faulted)
	}

	stop <- syscall.SIGTERM
	if err := <-done; err != nil {
		t.Errorf("run: %v", err)
	}
}
