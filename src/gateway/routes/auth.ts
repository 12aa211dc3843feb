/** Registration, login and logout. */
import type { Express } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import type { z } from 'zod';
import { AppError } from '../../domain/errors';
import type { EventPublisher } from '../../infra/events';
import type { Models } from '../../infra/models';
import { isDuplicateKeyError } from '../../infra/mongo';
import { TOPICS } from '../../shared/topics';
import { checkPassword, hashPassword, type TokenService } from '../auth';
import { principal } from '../middleware/auth';
import { rateLimitHandler } from '../middleware/rate-limit';
import { requestId } from '../middleware/request-id';
import { parse } from '../middleware/validate';
import { type Privileges, REVOKE_TOKENS } from '../privileges';
import { MongoRateLimitStore } from '../rate-limit-store';
import { LoginBody, MePatch, RegisterBody } from '../schemas';

export interface AuthDeps {
  models: Models;
  tokens: TokenService;
  privileges: Privileges;
  events: EventPublisher;
  loginLimitPerMinute: number;
}

/** A hash to compare against when the email is unknown, so both cases take as long. */
const dummyHash = hashPassword('not-a-real-password');

export function authRoutes(app: Express, deps: AuthDeps): void {
  const { models, tokens, events } = deps;

  // Stricter than the general limit: failed attempts per client address and account,
  // against password guessing, counted in MongoDB so that every gateway instance shares the count. The
  // body is parsed first, so the limit counts the very identity the lookup uses.
  const loginLimiter = rateLimit({
    windowMs: 60_000,
    limit: deps.loginLimitPerMinute,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    skipSuccessfulRequests: true, // failed attempts count: a right password is not a guess
    store: new MongoRateLimitStore(models.RateLimit, 'login:'),
    keyGenerator: (req) => `${ipKeyGenerator(req.ip ?? '')}|${(req.body as { email: string }).email}`,
    handler: rateLimitHandler('login attempts'),
  });

  app.post('/v1/auth/register', async (req, res) => {
    const body = parse(RegisterBody, req.body);
    const passwordHash = await hashPassword(body.password);
    let user;
    try {
      user = await models.User.create({ email: body.email, name: body.name, passwordHash, role: 'client', locale: body.locale ?? 'es' });
    } catch (err) {
      if (isDuplicateKeyError(err)) {
        throw new AppError('conflict', `an account with email ${body.email} already exists; log in instead`);
      }
      throw err;
    }
    const id = String(user._id);
    try {
      await events.publish(TOPICS.userRegistered, id, { userId: id, email: user.email, name: user.name, role: user.role }, {
        correlationId: requestId(req),
      });
    } catch (err) {
      req.log.error({ err, userId: id }, 'could not publish user.registered');
    }
    const { token } = tokens.issue({ userId: id, role: 'client', tokenVersion: user.tokenVersion });
    res
      .status(201)
      .location(`/v1/users/${id}`)
      .json({ user: { id, email: user.email, name: user.name, role: user.role, locale: user.locale ?? 'es' }, token });
  });

  app.post(
    '/v1/auth/login',
    (req, _res, next) => {
      req.body = parse(LoginBody, req.body);
      next();
    },
    loginLimiter,
    async (req, res) => {
      const body = req.body as z.infer<typeof LoginBody>;
      const user = await models.User.findOne({ email: body.email }).lean();
      const check = await checkPassword(body.password, user?.passwordHash ?? (await dummyHash));
      if (!user || !check.ok) throw new AppError('unauthenticated', 'wrong email or password');
      if (check.rehash) {
        // A hash from an older scheme or weaker parameters: replaced now that the password is known.
        await models.User.updateOne({ _id: user._id, passwordHash: user.passwordHash }, { $set: { passwordHash: await hashPassword(body.password) } });
      }
      const issued = tokens.issue({
        userId: String(user._id),
        role: user.role,
        ...(user.salonId ? { salonId: user.salonId } : {}),
        tokenVersion: user.tokenVersion ?? 0,
      });
      res.json(issued);
    },
  );

  const account = (u: { _id: unknown; email: string; name: string; role: string; salonId?: string | null; locale?: string | null }) => ({
    id: String(u._id),
    email: u.email,
    name: u.name,
    role: u.role,
    ...(u.salonId ? { salonId: u.salonId } : {}),
    locale: u.locale ?? 'es',
  });

  /** The account itself. */
  app.get('/v1/me', async (req, res) => {
    const user = await models.User.findById(principal(req).userId).lean();
    if (!user) throw new AppError('unauthenticated', 'the token’s account no longer exists');
    res.json(account(user));
  });

  /** Its name and the language of its messages. */
  app.patch('/v1/me', async (req, res) => {
    const patch = parse(MePatch, req.body);
    const user = await models.User.findByIdAndUpdate(principal(req).userId, { $set: patch }, { new: true }).lean();
    if (!user) throw new AppError('unauthenticated', 'the token’s account no longer exists');
    res.json(account(user));
  });

  /** Revokes every token of the account (this one included): a logout on every device. */
  app.post('/v1/auth/logout', async (req, res) => {
    const who = principal(req);
    await models.User.updateOne({ _id: who.userId }, REVOKE_TOKENS);
    deps.privileges.forget(who.userId);
    res.status(204).end();
  });
}
