/** The authenticated caller: token identity plus, loaded at most once per request, the stored user's roles. */
import { getUser, type User } from '../data/users';
import type { TokenIdentity } from './identity';
import { config } from '../platform/config';
import { forbidden } from '../platform/errors';

/**
 * Who may call a route: 'user' = any signed-in principal (ownership is then checked per item, see
 * ./access.ts); a role name = principals holding that role (site-admin implies content-admin).
 */
export type Access = 'user' | 'content-admin' | 'site-admin' | 'service';

/** The role names in tokens and stored users (configurable per stage). */
export const ROLE_NAMES = {
  get contentAdmin() {
    return config().ROLE_CONTENT_ADMIN;
  },
  get siteAdmin() {
    return config().ROLE_SITE_ADMIN;
  },
  get service() {
    return config().ROLE_SERVICE;
  },
};

export class Principal {
  private stored?: Promise<{ roles: string[]; userType?: string; customData?: Record<string, unknown>; user?: User }>;

  constructor(readonly identity: TokenIdentity) {}

  get userId(): string {
    return this.identity.userId;
  }

  /** Hands over a stored user read together with other items (one request instead of two). */
  primeStoredUser(user: User | undefined): void {
    this.stored ??= Promise.resolve({
      roles: user?.roles ?? [],
      ...(user?.userType ? { userType: user.userType } : {}),
      ...(user?.customData ? { customData: user.customData } : {}),
      ...(user ? { user } : {}),
    });
  }

  private loadStored() {
    this.stored ??= getUser(this.userId).then((u) => ({
      roles: u?.roles ?? [],
      ...(u?.userType ? { userType: u.userType } : {}),
      ...(u?.customData ? { customData: u.customData } : {}),
      ...(u ? { user: u } : {}),
    }));
    return this.stored;
  }

  /** Token roles first; the stored user is read only when the token alone does not grant the role. */
  async hasRole(role: string): Promise<boolean> {
    if (this.identity.roles.includes(role)) return true;
    return (await this.loadStored()).roles.includes(role);
  }

  async userType(): Promise<string | undefined> {
    return this.identity.userType ?? (await this.loadStored()).userType;
  }

  /** The stored user's custom data (chat-app entity rules, session attributes). */
  async customData(): Promise<Record<string, unknown> | undefined> {
    return (await this.loadStored()).customData;
  }

  /** The stored user record, if any (read at most once per request). */
  async storedUser(): Promise<User | undefined> {
    return (await this.loadStored()).user;
  }

  async isSiteAdmin(): Promise<boolean> {
    return this.hasRole(ROLE_NAMES.siteAdmin);
  }

  /** Content-admin rights (site-admins have them too). */
  async isContentAdmin(): Promise<boolean> {
    return (await this.hasRole(ROLE_NAMES.contentAdmin)) || this.isSiteAdmin();
  }

  async isService(): Promise<boolean> {
    return this.hasRole(ROLE_NAMES.service);
  }

  async can(access: Access): Promise<boolean> {
    switch (access) {
      case 'user':
        return true;
      case 'content-admin':
        return this.isContentAdmin();
      case 'site-admin':
        return this.isSiteAdmin();
      case 'service':
        return this.isService();
    }
  }

  /** 403 unless one of the route's access entries applies. */
  async authorize(access: readonly Access[]): Promise<void> {
    for (const a of access) if (await this.can(a)) return;
    throw forbidden('This route needs a role the caller does not have');
  }
}
