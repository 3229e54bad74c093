import { probeConnect } from '../core/ports.js';
import type { FaultSpec } from '../scenario/index.js';
import type { FaultKind } from './types.js';

/** The proxy disabled: every connection closed and new ones refused. Not a toxic. */
export const cutFault: FaultKind<Extract<FaultSpec, { kind: 'cut' }>> = {
  async apply(_spec, { proxy }) {
    await proxy.setEnabled(false);
    const state = await proxy.state();
    const probe = await probeConnect(proxy.listenPort);
    return {
      evidence: { proxyReadBack: { enabled: state.enabled }, connectToProxy: probe },
      async revert() {
        await proxy.setEnabled(true);
        return { enabledAfterRevert: (await proxy.state()).enabled };
      },
    };
  },
};
