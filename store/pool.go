package store

// MaxOpenConns is the size of the connection pool, to size the worker's
// concurrency by (worker.ActivitySlots).
func (db *DB) MaxOpenConns() int { return db.sql.Stats().MaxOpenConnections }
