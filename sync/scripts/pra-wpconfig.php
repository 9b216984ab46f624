<?php
// pra-wpconfig: reads a site's own wp-config.php without booting WordPress: ABSPATH is predefined to an
// empty directory, so the config's final `require wp-settings.php` loads nothing. The database password
// therefore never has to be configured twice, and never reaches argv:
//   pra-wpconfig FILE name        -> DB_NAME
//   pra-wpconfig FILE prefix      -> $table_prefix
//   pra-wpconfig FILE home        -> WP_HOME when the config defines it, else an empty line
//   pra-wpconfig FILE client-cnf  -> a [client] option file for mariadb/mariadb-dump (to a 0600 file)
//   pra-wpconfig FILE json        -> {"name","user","password","host"} (read by the sync over a pipe)
//   pra-wpconfig FILE user-sql    -> SQL creating/updating the site's MariaDB user and its grants
if ($argc !== 3) { fwrite(STDERR, "usage: pra-wpconfig WP_CONFIG name|prefix|home|client-cnf|json|user-sql\n"); exit(2); }
$file = realpath($argv[1]);
if ($file === false || !is_readable($file)) { fwrite(STDERR, "pra-wpconfig: cannot read {$argv[1]}\n"); exit(1); }
$stub = sys_get_temp_dir() . '/pra-wpconfig-' . getmypid() . '/';
@mkdir($stub, 0700);
file_put_contents($stub . 'wp-settings.php', "<?php\n");
define('ABSPATH', $stub);
ob_start();
include $file;
ob_end_clean();
unlink($stub . 'wp-settings.php');
rmdir($stub);
foreach (['DB_NAME', 'DB_USER', 'DB_PASSWORD', 'DB_HOST'] as $c) {
  if (!defined($c)) { fwrite(STDERR, "pra-wpconfig: $file does not define $c\n"); exit(1); }
}
$sql = function ($s) { return "'" . str_replace(["\\", "'"], ["\\\\", "\\'"], $s) . "'"; };
$cnf = function ($s) { return '"' . str_replace(["\\", '"'], ["\\\\", '\\"'], $s) . '"'; };
switch ($argv[2]) {
  case 'name': echo DB_NAME, "\n"; break;
  case 'prefix': echo isset($table_prefix) ? $table_prefix : 'wp_', "\n"; break;
  case 'home': echo defined('WP_HOME') ? WP_HOME : '', "\n"; break;
  case 'json': echo json_encode(['name' => DB_NAME, 'user' => DB_USER, 'password' => DB_PASSWORD, 'host' => DB_HOST]), "\n"; break;
  case 'client-cnf':
    echo "[client]\nuser=", $cnf(DB_USER), "\npassword=", $cnf(DB_PASSWORD), "\n";
    break;
  case 'user-sql':
    $db = '`' . str_replace('`', '``', DB_NAME) . '`';
    foreach (['localhost', '127.0.0.1'] as $h) {
      $who = $sql(DB_USER) . '@' . $sql($h);
      echo "CREATE USER IF NOT EXISTS $who IDENTIFIED BY ", $sql(DB_PASSWORD), ";\n";
      echo "ALTER USER $who IDENTIFIED BY ", $sql(DB_PASSWORD), ";\n";
      echo "GRANT ALL PRIVILEGES ON $db.* TO $who;\n";
    }
    break;
  default: fwrite(STDERR, "pra-wpconfig: unknown mode {$argv[2]}\n"); exit(2);
}
