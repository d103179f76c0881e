package dev.kairos.android;

import java.io.FilePermission;
import java.net.SocketPermission;
import java.security.Permission;
import java.util.ArrayList;
import java.util.List;

/**
 * Records file access under the app's data directory and socket connects made on one thread (the
 * main thread), by standing in as the JVM's security manager while installed. StrictMode alone
 * cannot show this under Robolectric: the JVM's file classes do not report to Android's BlockGuard.
 */
final class MainThreadIo extends SecurityManager {

  private final Thread watched;
  private final String root;
  private final List<String> accesses = new ArrayList<>();

  private MainThreadIo(Thread watched, String root) {
    this.watched = watched;
    this.root = root;
  }

  /**
   * Installs a recorder, or returns {@code null} on a JDK without security managers (24 and later),
   * where only StrictMode watches.
   */
  @SuppressWarnings("removal")
  static MainThreadIo install(Thread watched, String root) {
    MainThreadIo recorder = new MainThreadIo(watched, root);
    try {
      System.setSecurityManager(recorder);
      return recorder;
    } catch (UnsupportedOperationException notOnThisJdk) {
      return null;
    }
  }

  @SuppressWarnings("removal")
  void uninstall() {
    System.setSecurityManager(null);
  }

  synchronized List<String> accesses() {
    return new ArrayList<>(accesses);
  }

  @Override
  public void checkPermission(Permission permission) {
    if (Thread.currentThread() != watched) {
      return;
    }
    if (permission instanceof FilePermission && permission.getName().startsWith(root)) {
      record(permission.getActions() + " " + permission.getName());
    } else if (permission instanceof SocketPermission && permission.getActions().contains("connect")) {
      record("connect " + permission.getName());
    }
  }

  @Override
  public void checkPermission(Permission permission, Object context) {
    checkPermission(permission);
  }

  private synchronized void record(String access) {
    accesses.add(access);
  }
}
