import { Module } from '@nestjs/common';
import { LoginController } from './login.controller.js';

/** POST /auth/login/ and /auth/logout/ (AuthModule itself holds no routes). */
@Module({ controllers: [LoginController] })
export class AuthRoutesModule {}
