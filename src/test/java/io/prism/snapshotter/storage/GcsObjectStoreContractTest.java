package io.prism.snapshotter.storage;

import org.junit.jupiter.api.AfterEach;

/**
 * The {@link ObjectStoreContract} for the GCS store: the real {@code google-cloud-storage} client
 * against {@link GcsJsonApiStub}, a fresh one per test. No GCS-compatible server runs on these
 * machines (README), so this proves how the store uses the client (uploads single-request and
 * resumable, ranged media reads, listing pages by prefix, create-only writes, metadata), against
 * the JSON API as its documentation describes it; not how GCS itself answers.
 */
class GcsObjectStoreContractTest extends ObjectStoreContract {
  private GcsJsonApiStub stub;

  @Override
  protected ObjectStore newStore() throws Exception {
    stub = GcsJsonApiStub.start("contract");
    return GcsObjectStore.open(stub.settings());
  }

  @AfterEach
  void stopStub() {
    if (stub != null) {
      stub.close();
    }
  }
}
