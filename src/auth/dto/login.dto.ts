import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length, MaxLength } from 'class-validator';
import type { Actor } from '../actor.js';

export class LoginDto {
  @ApiProperty({ example: 'admin' }) @IsString() @Length(1, 150) username: string;
  @ApiProperty({ writeOnly: true, example: 'correct horse battery staple' })
  @IsString()
  @MaxLength(1024)
  password: string;
}

export class LoginUserDto {
  @ApiProperty({ example: 1 }) id: number;
  @ApiProperty({ example: 'admin' }) username: string;
  @ApiProperty() is_superuser: boolean;
}

export class LoginResponseDto {
  @ApiProperty({ description: 'A local token: send it as `Authorization: Bearer <token>`.' }) token: string;
  @ApiProperty({ example: 'Bearer' }) token_type: 'Bearer';
  @ApiProperty({ example: '2026-12-11T18:00:00.000Z' }) expires_at: string;
  @ApiProperty({ example: 3600, description: 'Seconds until the token expires.' }) expires_in: number;
  @ApiProperty({ type: LoginUserDto }) user: LoginUserDto;
}

export function toLoginResponseDto(
  login: { actor: Actor; token: string; expiresAt: Date },
  ttlSeconds: number,
): LoginResponseDto {
  return {
    token: login.token,
    token_type: 'Bearer',
    expires_at: login.expiresAt.toISOString(),
    expires_in: ttlSeconds,
    user: { id: login.actor.id, username: login.actor.username, is_superuser: login.actor.isSuperuser },
  };
}
