package gwconfig

// Pool is a PHP-FPM pool.
type Pool struct{}
