// Command ferretdb is the dev stack's MongoDB wire-protocol server: FerretDB v1.24.0 (Apache-2.0) with its
// pure-Go SQLite backend, run through FerretDB's embeddable package. It stands in for Cosmos DB for
// MongoDB's wire protocol in local runs and tests, not for Cosmos-only behaviour (RU throttling, request
// caps). `go install github.com/FerretDB/FerretDB/cmd/ferretdb@v1.24.0` cannot be used from the Go module
// proxy alone (its main needs a generated version.txt), hence this small module of our own; dev/ferretdb.ts
// builds it once per machine into a cache.
//
// Usage: ferretdb -listen 127.0.0.1:PORT -dir DIR
//
// It prints one line starting with "ferretdb ready:" once the TCP port is bound (connections made from then
// on are served), and stops on SIGTERM or SIGINT, closing its SQLite files.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:27017", "TCP address to listen on (port 0 picks a free port)")
	dir := flag.String("dir", "", "directory for the SQLite database files (created if missing; required)")
	logLevel := flag.String("log-level", "warn", "log level: debug, info, warn or error")
	flag.Parse()

	if err := run(*listen, *dir, *logLevel); err != nil {
		fmt.Fprintf(os.Stderr, "ferretdb: %s\n", err)
		os.Exit(1)
	}
}

func run(listen, dir, logLevel string) error {
	if dir == "" {
		return fmt.Errorf("-dir is required: the directory for the SQLite database files")
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(logLevel)); err != nil {
		return fmt.Errorf("-log-level %q: %w", logLevel, err)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	// The SQLite backend opens one file per database in this directory, but does not create it.
	if err := os.MkdirAll(abs, 0o755); err != nil {
		return err
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()

	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: listen},
		Logger:    logger,
		Handler:   "sqlite",
		SQLiteURL: "file:" + abs + "/",
	})
	if err != nil {
		return err
	}

	// New has bound the port; Run accepts. A client that connects in between waits in the backlog.
	fmt.Printf("ferretdb ready: %s (SQLite files in %s)\n", f.MongoDBURI(), abs)

	if err := f.Run(ctx); err != nil {
		return err
	}
	fmt.Println("ferretdb stopped")
	return nil
}
