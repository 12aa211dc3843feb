/** Registration and login. */
import type { Express } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import { AppError } from '../../domain/errors';
import type { EventPublisher } from '../../infra/events';
import type { Models } from '../../infra/models';
import { isDuplicateKeyError } from '../../infra/mongo';
import { TOPICS } from '../../shared/topics';
import { hashPassword, type TokenService, verifyPassword } from '../auth';
import { rateLimitHandler } from '../middleware/rate-limit';
import { parse } from '../middleware/validate';
import { LoginBody, RegisterBody } from '../schemas';
import { requestId } from '../middleware/request-id';

export interface AuthDeps {
  models: Models;
  tokens: TokenService;
  events: EventPublisher;
  loginLimitPerMinute: number;
}

/** A hash to compare against when the email is unknown, so both cases take as long. */
const dummyHash = hashPassword('not-a-real-password');

export function authRoutes(app: Express, deps: AuthDeps): void {
  const { models, tokens, events } = deps;

  // Stricter than the general limit: per IP and email, against password guessing.
  const loginLimiter = rateLimit({
    windowMs: 60_000,
    limit: deps.loginLimitPerMinute,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    keyGenerator: (req) => `${ipKeyGenerator(req.ip ?? '')}|${typeof req.body?.email === 'string' ? req.body.email.toLowerCase() : ''}`,
    handler: rateLimitHandler('login attempts'),
  });

  app.post('/v1/auth/register', async (req, res) => {
    const body = parse(RegisterBody, req.body);
    const passwordHash = await hashPassword(body.password);
    let user;
    try {
      user = await models.User.create({ email: body.email, name: body.name, passwordHash, role: 'client' });
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
    const { token } = tokens.issue({ userId: id, role: 'client' });
    res
      .status(201)
      .location(`/v1/users/${id}`)
      .json({ user: { id, email: user.email, name: user.name, role: user.role }, token });
  });

  app.post('/v1/auth/login', loginLimiter, async (req, res) => {
    const body = parse(LoginBody, req.body);
    const user = await models.User.findOne({ email: body.email }).lean();
    const ok = await verifyPassword(body.password, user?.passwordHash ?? (await dummyHash));
    if (!user || !ok) throw new AppError('unauthenticated', 'wrong email or password');
    const issued = tokens.issue({
      userId: String(user._id),
      role: user.role,
      ...(user.salonId ? { salonId: user.salonId } : {}),
    });
    res.json(issued);
  });
}
